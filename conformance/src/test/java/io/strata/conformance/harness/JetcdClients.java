package io.strata.conformance.harness;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;

/** Builds jetcd clients the way an application would, with bounded connect time. */
public final class JetcdClients {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private JetcdClients() {}

    public static Client forEndpoints(List<String> clientUrls) {
        return Client.builder()
                .endpoints(clientUrls.toArray(String[]::new))
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    public static Client forServer(ServerProcess server) {
        return forEndpoints(List.of(server.clientUrl()));
    }
}
