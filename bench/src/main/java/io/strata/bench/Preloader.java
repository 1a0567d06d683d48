package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.PutRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Writes every key of the key space once, so that reads of the measured phase find data. */
final class Preloader {
    private Preloader() {
    }

    static void preload(CommonOptions common, ChannelPool pool, KeySpace keys) throws InterruptedException {
        List<KVGrpc.KVStub> kv = pool.stubs(KVGrpc::newStub);
        ByteString value = Values.filler(common.valSize);
        AtomicLong next = new AtomicLong();
        BenchRun.untimed("preload", common, keys.size(), (client, done) -> {
            PutRequest request = PutRequest.newBuilder()
                    .setKey(keys.key(next.getAndIncrement()))
                    .setValue(value)
                    .build();
            kv.get(client % kv.size()).put(request, UnaryObserver.of(done));
        });
    }
}
