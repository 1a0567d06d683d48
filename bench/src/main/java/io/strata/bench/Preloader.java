package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.PutResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Writes every key of the key space once, so that reads of the measured phase find data. */
final class Preloader {
    private Preloader() {
    }

    /** What a preload tells about each key it wrote. */
    interface Written {
        void modRevision(int index, long modRevision);
    }

    static void preload(CommonOptions common, ChannelPool pool, KeySpace keys) throws InterruptedException {
        preload(common, pool, keys, (index, modRevision) -> { });
    }

    /** Also reports each key's mod revision, for workloads that update keys under a guard. */
    static void preload(CommonOptions common, ChannelPool pool, KeySpace keys, Written written)
            throws InterruptedException {
        List<KVGrpc.KVStub> kv = pool.stubs(KVGrpc::newStub);
        ByteString value = Values.filler(common.valSize);
        AtomicLong next = new AtomicLong();
        BenchRun.untimed("preload", common, keys.size(), (client, done) -> {
            long index = next.getAndIncrement();
            PutRequest request = PutRequest.newBuilder().setKey(keys.key(index)).setValue(value).build();
            kv.get(client % kv.size()).put(request, UnaryObserver.of(done, (PutResponse response) ->
                    written.modRevision((int) index, response.getHeader().getRevision())));
        });
    }
}
