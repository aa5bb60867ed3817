#include "ThreadPool.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

// About 100 µs of spinning before a worker sleeps: long enough to span the gap between
// two matmuls of one decoding step, short enough not to burn a core while idle.
#define SPIN_ROUNDS 20000

struct dst_pool {
    int thread_count;
    pthread_t *threads;
    _Atomic unsigned generation;
    _Atomic int pending;
    _Atomic int stopping;
    dst_pool_task task;
    void *context;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
};

struct worker_start { dst_pool *pool; int index; };

static void *worker_main(void *argument) {
    struct worker_start start = *(struct worker_start *)argument;
    free(argument);
    dst_pool *pool = start.pool;
    unsigned seen = 0;
    for (;;) {
        unsigned generation;
        int spins = 0;
        while ((generation = atomic_load_explicit(&pool->generation, memory_order_acquire)) == seen) {
            if (atomic_load_explicit(&pool->stopping, memory_order_relaxed)) return NULL;
            if (++spins < SPIN_ROUNDS) { CPU_RELAX(); continue; }
            pthread_mutex_lock(&pool->mutex);
            while (atomic_load_explicit(&pool->generation, memory_order_acquire) == seen &&
                   !atomic_load_explicit(&pool->stopping, memory_order_relaxed))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            pthread_mutex_unlock(&pool->mutex);
            spins = 0;
        }
        if (atomic_load_explicit(&pool->stopping, memory_order_relaxed)) return NULL;
        seen = generation;
        pool->task(pool->context, start.index, pool->thread_count);
        atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_acq_rel);
    }
}

dst_pool *dst_pool_create(int thread_count) {
    if (thread_count < 1) thread_count = 1;
    dst_pool *pool = calloc(1, sizeof(dst_pool));
    if (!pool) return NULL;
    pool->thread_count = thread_count;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->threads = calloc((size_t)thread_count, sizeof(pthread_t));
    if (!pool->threads) { free(pool); return NULL; }
    for (int i = 1; i < thread_count; i++) {
        struct worker_start *start = malloc(sizeof *start);
        if (!start) { pool->thread_count = i; dst_pool_destroy(pool); return NULL; }
        start->pool = pool;
        start->index = i;
        if (pthread_create(&pool->threads[i], NULL, worker_main, start) != 0) {
            free(start);
            pool->thread_count = i;
            dst_pool_destroy(pool);
            return NULL;
        }
    }
    return pool;
}

void dst_pool_run(dst_pool *pool, dst_pool_task task, void *context) {
    if (pool->thread_count == 1) { task(context, 0, 1); return; }
    pool->task = task;
    pool->context = context;
    atomic_store_explicit(&pool->pending, pool->thread_count - 1, memory_order_relaxed);
    pthread_mutex_lock(&pool->mutex);
    atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    task(context, 0, pool->thread_count);
    while (atomic_load_explicit(&pool->pending, memory_order_acquire) > 0) CPU_RELAX();
}

void dst_pool_destroy(dst_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->mutex);
    atomic_store(&pool->stopping, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    for (int i = 1; i < pool->thread_count; i++) pthread_join(pool->threads[i], NULL);
    pthread_mutex_destroy(&pool->mutex);
    pthread_cond_destroy(&pool->wake);
    free(pool->threads);
    free(pool);
}
