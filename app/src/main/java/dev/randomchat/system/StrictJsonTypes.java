package dev.randomchat.system;

import java.util.Map;
import java.util.Set;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;

/**
 * Values are never coerced (docs/protocol.md 2.1): {@code {"name": 42}} is not the name "42" and
 * {@code {"hours": "5"}} is not 5. Applied to the application's one {@code JsonMapper}, so every
 * request body (and everything else it reads) fails on a wrong JSON type, which WebFlux answers
 * with 400 and a problem body. A JSON integer still fills a decimal field: both are numbers.
 */
class StrictJsonTypes implements JsonMapperBuilderCustomizer {

    /** The JSON shapes each kind of Java value accepts; every other scalar shape fails. */
    private static final Map<LogicalType, Set<CoercionInputShape>> NATURAL = Map.of(
            LogicalType.Textual, Set.of(CoercionInputShape.String, CoercionInputShape.EmptyString),
            LogicalType.Integer, Set.of(CoercionInputShape.Integer),
            LogicalType.Float, Set.of(CoercionInputShape.Float, CoercionInputShape.Integer),
            LogicalType.Boolean, Set.of(CoercionInputShape.Boolean),
            LogicalType.Enum, Set.of(CoercionInputShape.String));

    private static final Set<CoercionInputShape> SCALARS = Set.of(CoercionInputShape.String,
            CoercionInputShape.EmptyString, CoercionInputShape.Integer, CoercionInputShape.Float,
            CoercionInputShape.Boolean);

    @Override
    public void customize(JsonMapper.Builder builder) {
        builder.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        NATURAL.forEach((type, accepted) -> builder.withCoercionConfig(type, config -> SCALARS.stream()
                .filter(shape -> !accepted.contains(shape))
                .forEach(shape -> config.setCoercion(shape, CoercionAction.Fail))));
    }
}
