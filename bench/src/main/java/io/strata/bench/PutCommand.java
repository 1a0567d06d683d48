package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.PutRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "put", mixinStandardHelpOptions = true,
        description = "Puts values of --val-size bytes to random (or sequential) keys.")
final class PutCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--sequential-keys", description = "Write keys in order instead of at random.")
    boolean sequentialKeys;

    @Override
    public Integer call() throws Exception {
        common.validate();
        KeySpace keys = common.keys();
        ByteString value = Values.filler(common.valSize);
        Map<String, Object> parameters = common.parameters();
        parameters.put("sequentialKeys", sequentialKeys);
        try (ChannelPool pool = common.openChannels()) {
            List<KVGrpc.KVStub> kv = pool.stubs(KVGrpc::newStub);
            AsyncOp put = (client, done) -> {
                long index = sequentialKeys ? keys.sequentialIndex() : keys.randomIndex();
                PutRequest request = PutRequest.newBuilder().setKey(keys.key(index)).setValue(value).build();
                kv.get(client % kv.size()).put(request, UnaryObserver.of(done));
            };
            return BenchRun.print(BenchRun.closedLoop("put", common, parameters, put));
        }
    }
}
