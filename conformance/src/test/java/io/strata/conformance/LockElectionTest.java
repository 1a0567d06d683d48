package io.strata.conformance;

import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lock;
import io.etcd.jetcd.api.ElectionGrpc;
import io.etcd.jetcd.api.LeaderKey;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaderResponse;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.lock.LockGrpc;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.LockResponse;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.election.NotLeaderException;
import io.etcd.jetcd.kv.GetResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.strata.conformance.harness.ClusterExtension;
import io.strata.conformance.harness.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd's Lock and Election services (v3lockpb, v3electionpb), through jetcd, raw gRPC (for
 * exact status codes and for cancelling a waiting call) and etcdctl's lock and elect commands.
 * Each test uses its own lock or election name, so tests share one server.
 */
class LockElectionTest {
    @RegisterExtension
    static final ClusterExtension SERVER = ClusterExtension.single();

    static final String LEASE_NOT_FOUND = "etcdserver: requested lease not found";
    static final long MISSING_LEASE_ID = 0x7e57_1ea5e_01L;
    /** How long a call that must wait is given to (wrongly) finish before it counts as waiting. */
    static final long STILL_WAITING_MILLIS = 300;

    private static ManagedChannel channel;
    private final List<Process> processes = new ArrayList<>();
    private Lock lock;
    private Election election;
    private KV kv;
    private String name;

    @BeforeAll
    static void connectGrpc() {
        URI uri = URI.create(SERVER.cluster().clientUrl());
        channel = ManagedChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext().build();
    }

    @AfterAll
    static void closeGrpc() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void useOwnName(TestInfo info) {
        lock = SERVER.client().getLockClient();
        election = SERVER.client().getElectionClient();
        kv = SERVER.client().getKVClient();
        name = "/lock-election/" + info.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    // ---- Lock ----

    @Test
    void freeLockIsGrantedAtOnceUnderNameSlashHexLease() {
        long lease = grant(30);

        io.etcd.jetcd.lock.LockResponse locked = await(lock.lock(bytes(name), lease));

        assertThat(text(locked.getKey())).isEqualTo(name + "/" + Long.toHexString(lease));
        KeyValue held = single(get(text(locked.getKey())));
        assertThat(held.getLease()).isEqualTo(lease);
        assertThat(held.getValue().isEmpty()).isTrue();
        assertThat(locked.getHeader().getRevision()).isEqualTo(held.getCreateRevision());
        assertThat(locked.getHeader().getMemberId()).isNotZero();
    }

    @Test
    void secondLockWaitsUntilTheFirstIsUnlocked() {
        long first = grant(30);
        long second = grant(30);
        ByteSequence firstKey = await(lock.lock(bytes(name), first)).getKey();

        CompletableFuture<io.etcd.jetcd.lock.LockResponse> waiting = lock.lock(bytes(name), second);
        assertStillWaiting(waiting);
        await(lock.unlock(firstKey));

        io.etcd.jetcd.lock.LockResponse locked = await(waiting);
        assertThat(text(locked.getKey())).isEqualTo(name + "/" + Long.toHexString(second));
        assertThat(get(text(firstKey)).getKvs()).isEmpty();
        assertThat(locked.getHeader().getRevision()).isGreaterThan(single(get(text(locked.getKey()))).getCreateRevision());
    }

    @Test
    void waitersAreServedInTheOrderTheyQueued() {
        long holder = grant(30);
        long early = grant(30);
        long late = grant(30);
        ByteSequence holderKey = await(lock.lock(bytes(name), holder)).getKey();
        CompletableFuture<io.etcd.jetcd.lock.LockResponse> earlyWaiter = lock.lock(bytes(name), early);
        awaitKey(name + "/" + Long.toHexString(early));
        CompletableFuture<io.etcd.jetcd.lock.LockResponse> lateWaiter = lock.lock(bytes(name), late);
        awaitKey(name + "/" + Long.toHexString(late));

        await(lock.unlock(holderKey));
        ByteSequence earlyKey = await(earlyWaiter).getKey();
        assertStillWaiting(lateWaiter);
        await(lock.unlock(earlyKey));

        assertThat(text(await(lateWaiter).getKey())).isEqualTo(name + "/" + Long.toHexString(late));
    }

    @Test
    void revokingTheHoldersLeaseHandsTheLockToTheWaiter() {
        long first = grant(30);
        long second = grant(30);
        await(lock.lock(bytes(name), first));
        CompletableFuture<io.etcd.jetcd.lock.LockResponse> waiting = lock.lock(bytes(name), second);
        assertStillWaiting(waiting);

        await(SERVER.client().getLeaseClient().revoke(first));

        assertThat(text(await(waiting).getKey())).isEqualTo(name + "/" + Long.toHexString(second));
    }

    @Test
    void lockingAgainWithTheSameLeaseReturnsTheSameKeyAtOnce() {
        long lease = grant(30);
        io.etcd.jetcd.lock.LockResponse first = await(lock.lock(bytes(name), lease));

        io.etcd.jetcd.lock.LockResponse again = await(lock.lock(bytes(name), lease));

        assertThat(again.getKey()).isEqualTo(first.getKey());
        assertThat(single(get(text(first.getKey()))).getVersion()).isEqualTo(1);
    }

    @Test
    void lockWithAMissingLeaseFailsWithLeaseNotFound() {
        StatusRuntimeException e = grpcFailure(() -> LockGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .lock(LockRequest.newBuilder().setName(bs(name)).setLease(MISSING_LEASE_ID).build()));

        assertThat(e.getStatus().getDescription()).isEqualTo(LEASE_NOT_FOUND);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(get(name + "/" + Long.toHexString(MISSING_LEASE_ID)).getKvs()).isEmpty();
    }

    @Test
    void waiterWhoseLeaseIsRevokedFailsWithSessionExpired() {
        long holder = grant(30);
        long waiter = grant(30);
        ByteSequence holderKey = await(lock.lock(bytes(name), holder)).getKey();
        CompletableFuture<LockResponse> waiting = new CompletableFuture<>();
        LockGrpc.newStub(channel).lock(LockRequest.newBuilder().setName(bs(name)).setLease(waiter).build(),
                completing(waiting));
        awaitKey(name + "/" + Long.toHexString(waiter));

        await(SERVER.client().getLeaseClient().revoke(waiter));
        await(lock.unlock(holderKey));

        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
                    assertThat(e.getStatus().getDescription()).isEqualTo("mutex: session is expired");
                });
    }

    @Test
    void cancellingAWaitingLockRemovesItsKey() {
        long holder = grant(30);
        long waiter = grant(30);
        await(lock.lock(bytes(name), holder));
        String waiterKey = name + "/" + Long.toHexString(waiter);
        Context.CancellableContext call = Context.current().withCancellation();
        CompletableFuture<LockResponse> waiting = new CompletableFuture<>();
        call.run(() -> LockGrpc.newStub(channel)
                .lock(LockRequest.newBuilder().setName(bs(name)).setLease(waiter).build(), completing(waiting)));
        awaitKey(waiterKey);

        call.cancel(null);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!get(waiterKey).getKvs().isEmpty() && System.nanoTime() < deadline) {
            sleep(50);
        }
        assertThat(get(waiterKey).getKvs()).as("the cancelled waiter's key").isEmpty();
    }

    @Test
    void unlockDeletesTheKeyAndUnlockingAMissingKeySucceeds() {
        long lease = grant(30);
        ByteSequence key = await(lock.lock(bytes(name), lease)).getKey();

        io.etcd.jetcd.lock.UnlockResponse unlocked = await(lock.unlock(key));
        await(lock.unlock(key));

        assertThat(get(text(key)).getKvs()).isEmpty();
        assertThat(unlocked.getHeader().getRevision()).isEqualTo(get(name).getHeader().getRevision());
    }

    // ---- Election ----

    @Test
    void firstCampaignIsElectedAtOnceAndLeaderReportsItsProposal() {
        long lease = grant(30);

        CampaignResponse campaign = await(election.campaign(bytes(name), lease, bytes("v1")));

        io.etcd.jetcd.election.LeaderKey leader = campaign.getLeader();
        assertThat(text(leader.getName())).isEqualTo(name);
        assertThat(text(leader.getKey())).isEqualTo(name + "/" + Long.toHexString(lease));
        assertThat(leader.getLease()).isEqualTo(lease);
        KeyValue stored = single(get(text(leader.getKey())));
        assertThat(leader.getRevision()).isEqualTo(stored.getCreateRevision());
        assertThat(campaign.getHeader().getRevision()).isEqualTo(stored.getCreateRevision());
        assertThat(stored.getLease()).isEqualTo(lease);

        io.etcd.jetcd.election.LeaderResponse current = await(election.leader(bytes(name)));
        assertThat(text(current.getKv().getKey())).isEqualTo(text(leader.getKey()));
        assertThat(text(current.getKv().getValue())).isEqualTo("v1");
    }

    @Test
    void secondCampaignWaitsUntilTheLeaderResigns() {
        long first = grant(30);
        long second = grant(30);
        io.etcd.jetcd.election.LeaderKey leader = await(election.campaign(bytes(name), first, bytes("a"))).getLeader();
        CompletableFuture<CampaignResponse> waiting = election.campaign(bytes(name), second, bytes("b"));
        assertStillWaiting(waiting);

        await(election.resign(leader));

        CampaignResponse elected = await(waiting);
        assertThat(text(elected.getLeader().getKey())).isEqualTo(name + "/" + Long.toHexString(second));
        assertThat(text(await(election.leader(bytes(name))).getKv().getValue())).isEqualTo("b");
    }

    @Test
    void proclaimChangesTheValueAndAStaleLeaderIsRefused() {
        long lease = grant(30);
        io.etcd.jetcd.election.LeaderKey leader = await(election.campaign(bytes(name), lease, bytes("v1"))).getLeader();

        await(election.proclaim(leader, bytes("v2")));
        assertThat(text(await(election.leader(bytes(name))).getKv().getValue())).isEqualTo("v2");

        io.etcd.jetcd.election.LeaderKey stale = new io.etcd.jetcd.election.LeaderKey(leader.getName(),
                leader.getKey(), leader.getRevision() + 1000, leader.getLease());
        assertThatThrownBy(() -> await(election.proclaim(stale, bytes("v3")))).isInstanceOf(NotLeaderException.class);
        StatusRuntimeException e = grpcFailure(() -> electionStub().proclaim(ProclaimRequest.newBuilder()
                .setLeader(rawKey(stale)).setValue(bs("v3")).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(e.getStatus().getDescription()).isEqualTo("election: not leader");
        assertThat(text(await(election.leader(bytes(name))).getKv().getValue())).isEqualTo("v2");
    }

    @Test
    void campaignAgainWithANewValueKeepsTheKeyAndProclaimsTheValue() {
        long lease = grant(30);
        io.etcd.jetcd.election.LeaderKey first = await(election.campaign(bytes(name), lease, bytes("old"))).getLeader();

        io.etcd.jetcd.election.LeaderKey again = await(election.campaign(bytes(name), lease, bytes("new"))).getLeader();

        assertThat(again.getKey()).isEqualTo(first.getKey());
        assertThat(again.getRevision()).isEqualTo(first.getRevision());
        assertThat(text(await(election.leader(bytes(name))).getKv().getValue())).isEqualTo("new");
    }

    @Test
    void leaderOfAnEmptyElectionIsNoLeader() {
        assertThatThrownBy(() -> await(election.leader(bytes(name)))).isInstanceOf(NoLeaderException.class);
        StatusRuntimeException e = grpcFailure(() -> electionStub()
                .leader(LeaderRequest.newBuilder().setName(bs(name)).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(e.getStatus().getDescription()).isEqualTo("election: no leader");
    }

    @Test
    void resignWithAStaleRevisionSucceedsButKeepsTheLeader() {
        long lease = grant(30);
        io.etcd.jetcd.election.LeaderKey leader = await(election.campaign(bytes(name), lease, bytes("v"))).getLeader();
        io.etcd.jetcd.election.LeaderKey stale = new io.etcd.jetcd.election.LeaderKey(leader.getName(),
                leader.getKey(), leader.getRevision() + 1000, leader.getLease());

        await(election.resign(stale));

        assertThat(get(text(leader.getKey())).getKvs()).hasSize(1);
    }

    @Test
    void proclaimAndResignWithoutALeaderFieldAreRefused() {
        String missing = "\"leader\" field must be provided";
        StatusRuntimeException proclaim = grpcFailure(() -> electionStub()
                .proclaim(ProclaimRequest.newBuilder().setValue(bs("v")).build()));
        StatusRuntimeException resign = grpcFailure(() -> electionStub().resign(ResignRequest.getDefaultInstance()));

        for (StatusRuntimeException e : List.of(proclaim, resign)) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
            assertThat(e.getStatus().getDescription()).isEqualTo(missing);
        }
    }

    @Test
    void observeStreamsTheLeaderAndEveryChangeOfIt() throws Exception {
        BlockingQueue<LeaderResponse> seen = new LinkedBlockingQueue<>();
        Context.CancellableContext call = Context.current().withCancellation();
        call.run(() -> ElectionGrpc.newStub(channel).observe(LeaderRequest.newBuilder().setName(bs(name)).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(LeaderResponse value) {
                        seen.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                }));
        try {
            long first = grant(30);
            long second = grant(30);
            io.etcd.jetcd.election.LeaderKey leader =
                    await(election.campaign(bytes(name), first, bytes("one"))).getLeader();
            assertThat(nextValue(seen)).isEqualTo("one");

            await(election.proclaim(leader, bytes("two")));
            LeaderResponse proclaimed = seen.poll(10, TimeUnit.SECONDS);
            assertThat(proclaimed.getKv().getValue().toStringUtf8()).isEqualTo("two");
            assertThat(proclaimed.getHeader().getRevision()).isEqualTo(proclaimed.getKv().getModRevision());

            CompletableFuture<CampaignResponse> waiting = election.campaign(bytes(name), second, bytes("three"));
            awaitKey(name + "/" + Long.toHexString(second));
            await(election.resign(leader));
            await(waiting);
            LeaderResponse next = seen.poll(10, TimeUnit.SECONDS);
            assertThat(next.getKv().getKey().toStringUtf8()).isEqualTo(name + "/" + Long.toHexString(second));
            assertThat(next.getKv().getValue().toStringUtf8()).isEqualTo("three");
            assertThat(seen.poll(STILL_WAITING_MILLIS, TimeUnit.MILLISECONDS)).as("nothing else").isNull();
        } finally {
            call.cancel(null);
        }
    }

    @Test
    void observeOfAnElectionWithALeaderStartsWithTheCurrentLeader() throws Exception {
        long lease = grant(30);
        await(election.campaign(bytes(name), lease, bytes("now")));
        BlockingQueue<io.etcd.jetcd.election.LeaderResponse> seen = new LinkedBlockingQueue<>();

        election.observe(bytes(name), new Election.Listener() {
            @Override
            public void onNext(io.etcd.jetcd.election.LeaderResponse response) {
                seen.add(response);
            }

            @Override
            public void onError(Throwable throwable) {}

            @Override
            public void onCompleted() {}
        });

        io.etcd.jetcd.election.LeaderResponse first = seen.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(text(first.getKv().getValue())).isEqualTo("now");
    }

    // ---- etcdctl (the client-side recipes, over KV, Lease and Watch) ----

    @Test
    void etcdctlLockWaitsForTheHolderToExit() throws Exception {
        Process holder = etcdctlInBackground("lock", name);
        String holderKey = firstLine(holder);
        assertThat(holderKey).startsWith(name + "/");

        Process waiter = etcdctlInBackground("lock", name);
        BufferedReader waiterOut = reader(waiter);
        CompletableFuture<String> waiterKey = CompletableFuture.supplyAsync(() -> readLine(waiterOut));
        assertStillWaiting(waiterKey);
        holder.destroy();

        assertThat(waiterKey.get(10, TimeUnit.SECONDS)).startsWith(name + "/").isNotEqualTo(holderKey);
    }

    @Test
    void etcdctlElectPrintsTheLeaderAndListenSeesIt() throws Exception {
        Process candidate = etcdctlInBackground("elect", name, "proposal");
        BufferedReader candidateOut = reader(candidate);
        assertThat(nextLine(candidateOut)).startsWith(name + "/");
        assertThat(nextLine(candidateOut)).isEqualTo("proposal");

        Process listener = etcdctlInBackground("elect", "-l", name);
        BufferedReader listenerOut = reader(listener);
        assertThat(nextLine(listenerOut)).startsWith(name + "/");
        assertThat(nextLine(listenerOut)).isEqualTo("proposal");
    }

    // ---- helpers ----

    private long grant(long ttlSeconds) {
        return await(SERVER.client().getLeaseClient().grant(ttlSeconds)).getID();
    }

    private GetResponse get(String key) {
        return await(kv.get(bytes(key)));
    }

    private static KeyValue single(GetResponse response) {
        assertThat(response.getKvs()).hasSize(1);
        return response.getKvs().get(0);
    }

    private void awaitKey(String key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (get(key).getKvs().isEmpty()) {
            assertThat(System.nanoTime()).as("%s appears within 10 s", key).isLessThan(deadline);
            sleep(20);
        }
    }

    private static void assertStillWaiting(CompletableFuture<?> call) {
        try {
            Object result = call.get(STILL_WAITING_MILLIS, TimeUnit.MILLISECONDS);
            throw new AssertionError("expected the call to wait, but it returned " + result);
        } catch (java.util.concurrent.TimeoutException expected) {
            // Still waiting, as it should.
        } catch (Exception e) {
            throw new AssertionError("expected the call to wait, but it failed", e);
        }
    }

    private static StatusRuntimeException grpcFailure(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("expected the call to fail");
    }

    private static ElectionGrpc.ElectionBlockingStub electionStub() {
        return ElectionGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static LeaderKey rawKey(io.etcd.jetcd.election.LeaderKey key) {
        return LeaderKey.newBuilder()
                .setName(ByteString.copyFrom(key.getName().getBytes()))
                .setKey(ByteString.copyFrom(key.getKey().getBytes()))
                .setRev(key.getRevision())
                .setLease(key.getLease())
                .build();
    }

    private static ByteString bs(String text) {
        return ByteString.copyFromUtf8(text);
    }

    private static <T> StreamObserver<T> completing(CompletableFuture<T> future) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                future.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                future.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        };
    }

    private static String nextValue(BlockingQueue<LeaderResponse> seen) throws InterruptedException {
        LeaderResponse response = seen.poll(10, TimeUnit.SECONDS);
        assertThat(response).as("an observed leader within 10 s").isNotNull();
        return response.getKv().getValue().toStringUtf8();
    }

    private Process etcdctlInBackground(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Tools.etcdctl().toString());
        command.add("--endpoints=" + String.join(",", SERVER.cluster().clientUrls()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(key -> key.startsWith("ETCDCTL") || key.startsWith("ETCD_"));
        builder.environment().put("ETCDCTL_API", "3");
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String firstLine(Process process) throws Exception {
        return nextLine(reader(process));
    }

    private static String nextLine(BufferedReader reader) throws Exception {
        return CompletableFuture.supplyAsync(() -> readLine(reader)).get(10, TimeUnit.SECONDS);
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
