package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.1 description of the HTTP API, written by hand in {@code io/tandem/server/openapi.yaml} and served
 * as JSON at {@code GET /v1/openapi.json}; {@code OpenApiTest} checks that it names every route the server has and
 * no other.
 */
final class OpenApi {

    static final String RESOURCE = "io/tandem/server/openapi.yaml";

    private OpenApi() {
    }

    /** The document, parsed. */
    static JsonNode document() {
        try (InputStream in = OpenApi.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** The document as JSON text. */
    static String json() {
        return document().toString();
    }
}
