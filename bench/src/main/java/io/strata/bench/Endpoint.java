package io.strata.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** One client URL given on the command line, reduced to what a plaintext gRPC channel needs. */
record Endpoint(String host, int port) {

    /**
     * Parses etcd's comma-separated client URL list. Only plaintext {@code http://} (or a bare
     * {@code host:port}) is accepted: the tool measures the server, and TLS would add a cost that
     * differs between client stacks.
     */
    static List<Endpoint> parseList(String urls) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String part : urls.split(",")) {
            String url = part.trim();
            if (!url.isEmpty()) {
                endpoints.add(parse(url));
            }
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no endpoint given in '" + urls + "'");
        }
        return List.copyOf(endpoints);
    }

    static Endpoint parse(String url) {
        String withScheme = url.contains("://") ? url : "http://" + url;
        URI uri;
        try {
            uri = URI.create(withScheme);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed endpoint '" + url + "'", e);
        }
        if (!"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException(
                    "endpoint '" + url + "': only plaintext http:// endpoints are supported");
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("endpoint '" + url + "' needs a host and a port");
        }
        return new Endpoint(uri.getHost(), uri.getPort());
    }

    @Override
    public String toString() {
        return "http://" + host + ":" + port;
    }
}
