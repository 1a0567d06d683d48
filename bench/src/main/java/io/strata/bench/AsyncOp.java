package io.strata.bench;

/**
 * One operation of a closed-loop workload: started by a client, finished by a callback. The
 * driver times it from {@link #start} to the callback and starts that client's next operation.
 */
interface AsyncOp {
    /** Starts one operation for {@code client}; must call exactly one of done's methods once. */
    void start(int client, Done done);

    /** How an operation reports its end. */
    interface Done {
        void succeeded();

        void failed(Throwable error);

        /** False during the warm-up: workloads that keep their own statistics skip these. */
        default boolean measured() {
            return true;
        }
    }
}
