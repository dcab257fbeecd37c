# The local nginx, from Debian unstable: the shipped config needs nginx 1.27.3 or later
# (`server ... resolve` in an upstream), newer than Debian stable's. Laid out like the upstream
# image: /etc/nginx/conf.d/default.conf is the site, logs go to the container's output, and
# wget is there for the Compose health check. The mirror's unstable Release file may be past its
# Valid-Until date when the machine's clock runs ahead, hence the apt option.
ARG BASE
FROM ${BASE}
RUN apt-get -o Acquire::Check-Valid-Until=false update -qq \
 && apt-get install -y -qq --no-install-recommends nginx wget >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && rm -f /etc/nginx/sites-enabled/default \
 && mkdir -p /etc/nginx/conf.d \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
