package io.strata.server.member;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestDeadlinesTest {
  private final AtomicLong nowNanos = new AtomicLong(1_000);
  private final RequestDeadlines deadlines = new RequestDeadlines(Duration.ofSeconds(7), nowNanos::get);

  @Test
  void aRequestStillRunningAtItsDeadlineFailsWithATimeout() {
    CompletableFuture<String> request = deadlines.bound(new CompletableFuture<>());
    nowNanos.addAndGet(Duration.ofSeconds(7).toNanos());
    deadlines.sweep();
    assertThat(request).isCompletedExceptionally();
    assertThat(request.handle((v, e) -> e).join()).isInstanceOf(TimeoutException.class);
    assertThat(deadlines.tracked()).isZero();
  }

  @Test
  void aRequestNotYetDueKeepsRunningAndSoDoThoseBehindIt() {
    CompletableFuture<String> first = deadlines.bound(new CompletableFuture<>());
    nowNanos.addAndGet(Duration.ofSeconds(1).toNanos());
    CompletableFuture<String> second = deadlines.bound(new CompletableFuture<>());
    nowNanos.addAndGet(Duration.ofSeconds(6).toNanos() - 1);
    deadlines.sweep();
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();

    nowNanos.incrementAndGet();
    deadlines.sweep();
    assertThat(first).isCompletedExceptionally();
    assertThat(second).isNotDone();
    assertThat(deadlines.tracked()).isEqualTo(1);
  }

  @Test
  void completedRequestsAreForgottenAndNeverFailed() {
    CompletableFuture<String> answered = deadlines.bound(new CompletableFuture<>());
    CompletableFuture<String> alreadyDone = deadlines.bound(CompletableFuture.completedFuture("ok"));
    answered.complete("done");
    deadlines.sweep();
    assertThat(deadlines.tracked()).isZero();
    nowNanos.addAndGet(Duration.ofSeconds(8).toNanos());
    deadlines.sweep();
    assertThat(answered.join()).isEqualTo("done");
    assertThat(alreadyDone.join()).isEqualTo("ok");
  }

  @Test
  void theSweepIntervalIsATenthOfTheTimeoutAndAtMostATenthOfASecond() {
    assertThat(LocalMember.deadlineSweepInterval(Duration.ofSeconds(7))).isEqualTo(Duration.ofMillis(100));
    assertThat(LocalMember.deadlineSweepInterval(Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(50));
  }
}
