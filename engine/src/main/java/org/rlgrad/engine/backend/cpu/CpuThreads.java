package org.rlgrad.engine.backend.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The CPU backend's small fixed thread pool, used only by kernels with enough work to amortise a
 * hand-off (a large matrix product); everything else runs on the calling thread.
 *
 * <p>The size is {@code -Drlgrad.threads=N}, by default the number of available processors, and
 * can be changed at run time with {@link #setThreads(int)} (the benchmarks pin it to 1 and 2).
 * With N threads the pool owns N - 1 daemon workers; the caller is the N-th.
 *
 * <p>{@link #run(int, IntConsumer)} gives task {@code t} first to thread {@code t % n} (the caller
 * is thread 0, worker {@code i} thread {@code i}), so that the same thread works on the same part
 * of the data call after call and finds it in its own core's cache (a [256, 4096] row sum at two
 * threads reads 2 MiB per core, all of it from L2 when the halves stay put). A thread that has
 * finished its own tasks takes any that nobody has started, so the caller never waits for a
 * worker to wake up: if none has by the time the caller finishes, the caller runs the rest. Which thread runs which task must not
 * change results (the matrix product splits C into disjoint parts that each sum in a fixed order).
 * Workers spin for a short while after each job before they park, because waking a parked thread
 * on a virtual machine costs tens of microseconds, more than a 128 x 128 product. One job runs at
 * a time; a caller that finds the pool busy (another thread's product, or a task that itself
 * calls {@code run}) runs its tasks itself.
 */
public final class CpuThreads {
    /** How long an idle worker polls for the next job before it parks. */
    private static final long SPIN_NANOS = 100_000;

    private static final ReentrantLock POOL = new ReentrantLock();
    private static volatile int threads = initialThreads();
    private static Worker[] workers = new Worker[0]; // guarded by POOL

    private CpuThreads() {}

    private static int initialThreads() {
        String value = System.getProperty("rlgrad.threads");
        int n = value == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(value.trim());
        if (n < 1) throw new IllegalArgumentException("rlgrad.threads must be at least 1, got " + n);
        return n;
    }

    /** The number of threads that large kernels use, the caller included. */
    public static int threads() {
        return threads;
    }

    /**
     * Sets the number of threads that large kernels use, the caller included ({@code 1}: every
     * kernel runs on its caller). Waits for a running job to finish; surplus workers exit.
     */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be at least 1, got " + n);
        POOL.lock();
        try {
            threads = n;
            for (int i = n - 1; i < workers.length; i++) workers[i].retire();
            if (workers.length > n - 1) workers = Arrays.copyOf(workers, n - 1);
        } finally {
            POOL.unlock();
        }
    }

    /**
     * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)} and returns when all
     * have finished, on up to {@link #threads()} threads (the caller is one of them). The first
     * exception a task throws is rethrown here after the others finished.
     */
    static void run(int tasks, IntConsumer body) {
        if (tasks <= 1 || threads == 1 || POOL.isHeldByCurrentThread() || !POOL.tryLock()) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        Job job;
        try {
            int owners = Math.min(tasks, threads);
            job = new Job(tasks, owners, body);
            for (Worker w : workersFor(owners - 1)) w.offer(job);
            job.work(0);
            job.awaitCompletion();
        } finally {
            POOL.unlock();
        }
        if (job.failure instanceof RuntimeException e) throw e;
        if (job.failure instanceof Error e) throw e;
        if (job.failure != null) throw new IllegalStateException(job.failure);
    }

    /** The first {@code count} workers, started on first use. Holds POOL. */
    private static Worker[] workersFor(int count) {
        if (workers.length < count) {
            Worker[] grown = Arrays.copyOf(workers, count);
            for (int i = workers.length; i < count; i++) {
                grown[i] = new Worker(i + 1);
                grown[i].start();
            }
            workers = grown;
        }
        return workers.length == count ? workers : Arrays.copyOf(workers, count);
    }

    /**
     * One call of {@link #run}: which tasks have been claimed, and a counter of tasks finished,
     * which the caller waits on. The caller waits for tasks, never for workers, so a worker that
     * wakes after the caller took every task costs nothing: it finds them all claimed and goes
     * back to waiting.
     */
    private static final class Job {
        final int tasks;
        final int owners;
        final IntConsumer body;
        final AtomicIntegerArray claimed;
        final AtomicInteger finished = new AtomicInteger();
        final Thread caller = Thread.currentThread();
        volatile Throwable failure;

        Job(int tasks, int owners, IntConsumer body) {
            this.tasks = tasks;
            this.owners = owners;
            this.body = body;
            this.claimed = new AtomicIntegerArray(tasks);
        }

        /** Runs thread {@code self}'s own tasks, then any task nobody has started. */
        void work(int self) {
            for (int t = self; t < tasks; t += owners) run(t);
            for (int t = 0; t < tasks; t++) run(t);
        }

        private void run(int t) {
            if (claimed.get(t) != 0 || !claimed.compareAndSet(t, 0, 1)) return;
            try {
                body.accept(t);
            } catch (Throwable e) {
                if (failure == null) failure = e;
            } finally {
                if (finished.incrementAndGet() == tasks && Thread.currentThread() != caller) LockSupport.unpark(caller);
            }
        }

        void awaitCompletion() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (finished.get() < tasks) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.park(this);
            }
        }
    }

    private static final class Worker extends Thread {
        private final int index;
        private final AtomicReference<Job> job = new AtomicReference<>();
        private volatile boolean parked;
        private volatile boolean retired;

        Worker(int index) {
            super("rlgrad-cpu-" + index);
            this.index = index;
            setDaemon(true);
        }

        void offer(Job next) {
            job.set(next);
            if (parked) LockSupport.unpark(this);
        }

        void retire() {
            retired = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (!retired) {
                Job current = awaitJob();
                // Clear only the job we took: a newer one offered meanwhile stays for the next turn.
                if (current != null && job.compareAndSet(current, null)) current.work(index);
            }
        }

        /** The offered job, or null when woken without one (retired, or a spurious wake-up). */
        private Job awaitJob() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Job current;
            while ((current = job.get()) == null && !retired && System.nanoTime() < spinUntil) Thread.onSpinWait();
            if (current != null) return current;
            // Announce the park before the last look, so that offer() either sees `parked` and
            // unparks this thread or its job is visible to that look.
            parked = true;
            if (job.get() == null && !retired) LockSupport.park(this);
            parked = false;
            return job.get();
        }
    }
}
