/*
 * What a process pays for being idle between events on this machine (bench/RESULTS.md, "Why a
 * pair costs more at 200 pairs/s"). A client sends a 64-byte message over loopback TCP at a fixed
 * rate; an epoll server reads it, touches KIB kibibytes of its own memory (one byte per 64-byte
 * line, in a scattered order) and echoes it. Printed: the server's CPU per message, from
 * /proc/self/schedstat, over all but the first 100 messages.
 *
 *   gcc -O2 -o /tmp/idle-penalty bench/tools/idle-penalty.c
 *   for rate in 200 1000 4000; do /tmp/idle-penalty $rate $((rate * 3)) 1024; done
 *
 * Arguments: messages per second, messages, KiB touched per message (0: none), and "pin" to run
 * the server on CPU 0 and the client on CPU 1. Loopback only; it stops by itself.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long cpu_ns(void) {
    long long ns = 0;
    FILE *f = fopen("/proc/self/schedstat", "r");
    if (f == NULL || fscanf(f, "%lld", &ns) != 1) {
        perror("schedstat");
        exit(1);
    }
    fclose(f);
    return ns;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static void serve(int listener, size_t touch) {
    int one = 1;
    int conn = accept(listener, NULL, NULL);
    setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int ep = epoll_create1(0);
    struct epoll_event interest = {.events = EPOLLIN, .data.fd = conn};
    epoll_ctl(ep, EPOLL_CTL_ADD, conn, &interest);
    unsigned char *memory = touch ? malloc(touch) : NULL;
    if (memory) {
        memset(memory, 1, touch);
    }
    volatile unsigned sink = 0;
    char buffer[256];
    long long start = 0;
    long messages = 0;
    for (;;) {
        struct epoll_event ready[8];
        if (epoll_wait(ep, ready, 8, -1) < 0) {
            break;
        }
        ssize_t n = read(conn, buffer, sizeof buffer);
        if (n <= 0) {
            break;
        }
        if (messages == 100) {
            start = cpu_ns();
        }
        unsigned sum = 0;
        for (size_t line = 0; line < touch / 64; line++) {
            sum += memory[((line * 7919) % (touch / 64)) * 64];
        }
        sink = sum;
        messages++;
        if (write(conn, buffer, n) != n) {
            break;
        }
    }
    (void) sink;
    if (messages > 100) {
        printf("%ld messages: server %.1f us of CPU per message\n", messages,
                (cpu_ns() - start) / 1000.0 / (messages - 100));
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s RATE MESSAGES KIB [pin]\n", argv[0]);
        return 2;
    }
    int rate = atoi(argv[1]);
    long total = atol(argv[2]);
    size_t touch = (size_t) atol(argv[3]) * 1024;
    int pinned = argc > 4 && strcmp(argv[4], "pin") == 0;
    int one = 1;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *) &address, sizeof address) < 0 || listen(listener, 1) < 0
            || getsockname(listener, (struct sockaddr *) &address, &length) < 0) {
        perror("listen");
        return 1;
    }
    pid_t server = fork();
    if (server == 0) {
        if (pinned) {
            pin(0);
        }
        serve(listener, touch);
        return 0;
    }
    if (pinned) {
        pin(1);
    }
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(client, (struct sockaddr *) &address, sizeof address) < 0) {
        perror("connect");
        return 1;
    }
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char message[64];
    memset(message, 'x', sizeof message);
    long long first = now_ns();
    long long interval = 1000000000LL / rate;
    for (long i = 0; i < total; i++) {
        long long due = first + i * interval;
        for (long long wait = due - now_ns(); wait > 0; wait = due - now_ns()) {
            struct timespec pause = {wait / 1000000000LL, wait % 1000000000LL};
            nanosleep(&pause, NULL);
        }
        if (write(client, message, sizeof message) != sizeof message
                || read(client, message, sizeof message) <= 0) {
            break;
        }
    }
    close(client);
    waitpid(server, NULL, 0);
    return 0;
}
