package io.strata.server.member;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;

/**
 * A stream opened with {@code hasleader: true}, which the member may end from outside the
 * service that serves it when it has lost its leader. The service and the leader check send on
 * the call from different threads, so every outbound step takes one lock, and once the call is
 * ended whatever the service still sends is dropped rather than failing it. The close itself is
 * made outside the lock: a transport may report the end to the listeners at once, and those must
 * never run under a lock the service's own threads wait for.
 *
 * <p>The service learns of the end as a cancellation, exactly as if the client had gone away,
 * so that it releases the stream's watchers or keep-alives the usual way.
 */
final class LeaderBoundCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
  private final Object lock = new Object();
  private final LeaderBoundStreams streams;
  // Guarded by lock.
  private boolean closed;
  private volatile boolean endedForNoLeader;

  LeaderBoundCall(ServerCall<Q, R> call, LeaderBoundStreams streams) {
    super(call);
    this.streams = streams;
  }

  /** Ends the stream with etcd's "no leader" error; false if it had already ended. */
  boolean endForNoLeader() {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      endedForNoLeader = true;
    }
    super.close(Status.UNAVAILABLE.withDescription(RequireLeaderInterceptor.noLeader), new Metadata());
    return true;
  }

  @Override
  public void sendHeaders(Metadata headers) {
    synchronized (lock) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }
  }

  @Override
  public void sendMessage(R message) {
    synchronized (lock) {
      if (!closed) {
        super.sendMessage(message);
      }
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    super.close(status, trailers);
  }

  @Override
  public boolean isReady() {
    return !endedForNoLeader && super.isReady();
  }

  /** The service's listener, told of the end as a cancellation and forgotten by the registry once the call is over. */
  ServerCall.Listener<Q> listen(ServerCall.Listener<Q> service) {
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(service) {
      @Override
      public void onMessage(Q message) {
        if (!endedForNoLeader) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        if (!endedForNoLeader) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!endedForNoLeader) {
          super.onReady();
        }
      }

      @Override
      public void onCancel() {
        streams.remove(LeaderBoundCall.this);
        super.onCancel();
      }

      @Override
      public void onComplete() {
        streams.remove(LeaderBoundCall.this);
        // The transport saw our own close go out; to the service it is the client's stream
        // being taken away, which it must treat like a cancellation.
        if (endedForNoLeader) {
          super.onCancel();
        } else {
          super.onComplete();
        }
      }
    };
  }
}
