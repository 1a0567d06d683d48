package io.strata.conformance.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketOwnersTest {
    @Test
    void findsTheProcessHoldingTheClientEndOfALoopbackConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            long self = ProcessHandle.current().pid();
            long parent = ProcessHandle.current().parent().orElseThrow().pid();

            assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
            assertThat(SocketOwners.isOwnedBy(accepted.getPort(), server.getLocalPort(), List.of(self))).isTrue();
            assertThat(SocketOwners.isOwnedBy(accepted.getPort(), server.getLocalPort(), List.of(parent))).isFalse();
        }
    }
}
