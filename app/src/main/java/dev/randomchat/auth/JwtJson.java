package dev.randomchat.auth;

import java.io.Reader;
import java.util.Map;

import io.jsonwebtoken.io.AbstractDeserializer;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the JSON of the tokens jjwt checks (those not of {@link CompactHs256}'s form) with the
 * Jackson the server already runs (Jackson 3), instead of jjwt-jackson's Jackson 2: a second JSON
 * library loaded only for this was about 430 classes of the server's class metadata
 * (bench/RESULTS.md, "Footprint").
 */
final class JwtJson extends AbstractDeserializer<Map<String, ?>> {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final JsonMapper json;

    JwtJson(JsonMapper json) {
        this.json = json;
    }

    @Override
    protected Map<String, ?> doDeserialize(Reader reader) {
        return json.readValue(reader, OBJECT);
    }
}
