package io.strata.bench;

import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchGrpc;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * How fast watchers can be created: each client owns a watch stream and creates one watcher
 * on a random key at a time; an operation lasts from the create request to its "created"
 * answer. The watchers stay until the streams close at the end, as they would in a real
 * server that many clients watch.
 */
@Command(name = "watch-create", mixinStandardHelpOptions = true,
        description = "Creates watchers (one at a time per client stream) and measures create latency.")
final class WatchCreateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        common.validate();
        KeySpace keys = common.keys();
        try (ChannelPool pool = common.openChannels()) {
            List<WatchGrpc.WatchStub> watch = pool.stubs(WatchGrpc::newStub);
            try (ClientStreams<WatchRequest, WatchResponse> streams = new ClientStreams<>(common.clients,
                    (client, responses) -> watch.get(client % watch.size()).watch(responses),
                    WatchCreateCommand::classify,
                    response -> "watch create canceled: " + response.getCancelReason())) {
                AsyncOp create = (client, done) -> streams.send(client, WatchRequest.newBuilder()
                        .setCreateRequest(WatchCreateRequest.newBuilder().setKey(keys.key(keys.randomIndex())))
                        .build(), done);
                return BenchRun.print(BenchRun.closedLoop("watch-create", common, common.parameters(), create));
            }
        }
    }

    private static ClientStreams.Outcome classify(WatchResponse response) {
        if (response.getCanceled()) {
            return ClientStreams.Outcome.FAILED;
        }
        return response.getCreated() ? ClientStreams.Outcome.SUCCEEDED : ClientStreams.Outcome.IGNORED;
    }
}
