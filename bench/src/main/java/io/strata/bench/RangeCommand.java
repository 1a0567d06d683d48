package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "range", mixinStandardHelpOptions = true,
        description = "Reads one random key per request, or with --prefix pages through the whole key space "
                + "--limit keys at a time (as a Kubernetes list does).")
final class RangeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--consistency", defaultValue = "l",
            description = "l: linearizable reads, s: serializable reads. Default: ${DEFAULT-VALUE}.")
    String consistency;

    @Option(names = "--prefix", description = "Page through the key space instead of reading single keys.")
    boolean prefix;

    @Option(names = "--limit", defaultValue = "500",
            description = "Keys per page with --prefix. Default: ${DEFAULT-VALUE}.")
    long limit;

    @Option(names = "--preload", description = "Put every key of --key-space once before measuring (not timed).")
    boolean preload;

    @Override
    public Integer call() throws Exception {
        common.validate();
        if (!consistency.equals("l") && !consistency.equals("s")) {
            throw new IllegalArgumentException("--consistency must be l or s, got '" + consistency + "'");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
        }
        boolean serializable = consistency.equals("s");
        KeySpace keys = common.keys();
        Map<String, Object> parameters = common.parameters();
        parameters.put("consistency", consistency);
        parameters.put("prefix", prefix);
        if (prefix) {
            parameters.put("limit", limit);
        }
        parameters.put("preload", preload);
        try (ChannelPool pool = common.openChannels()) {
            if (preload) {
                Preloader.preload(common, pool, keys);
            }
            List<KVGrpc.KVStub> kv = pool.stubs(KVGrpc::newStub);
            AtomicLong keysRead = new AtomicLong();
            AsyncOp read;
            if (prefix) {
                ByteString[] cursors = new ByteString[common.clients];
                read = (client, done) -> {
                    ByteString from = cursors[client] != null ? cursors[client] : keys.first();
                    RangeRequest request = RangeRequest.newBuilder()
                            .setKey(from).setRangeEnd(keys.end()).setLimit(limit).setSerializable(serializable)
                            .build();
                    kv.get(client % kv.size()).range(request, UnaryObserver.of(done, (RangeResponse response) -> {
                        keysRead.addAndGet(response.getKvsCount());
                        // The next page starts just after this page's last key; after the last
                        // page the client starts over, as a lister that relists would.
                        cursors[client] = response.getMore() && response.getKvsCount() > 0
                                ? response.getKvs(response.getKvsCount() - 1).getKey().concat(ByteString.copyFrom(new byte[1]))
                                : null;
                    }));
                };
            } else {
                read = (client, done) -> {
                    RangeRequest request = RangeRequest.newBuilder()
                            .setKey(keys.key(keys.randomIndex())).setSerializable(serializable).build();
                    kv.get(client % kv.size()).range(request, UnaryObserver.of(done, (RangeResponse response) ->
                            keysRead.addAndGet(response.getKvsCount())));
                };
            }
            Summary summary = BenchRun.closedLoop("range", common, parameters, read);
            summary.extra("keysRead", keysRead.get());
            return BenchRun.print(summary);
        }
    }
}
