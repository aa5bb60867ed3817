#ifndef DISTILLERY_THREAD_POOL_H
#define DISTILLERY_THREAD_POOL_H
// A fork-join pool of persistent workers for tasks of tens of microseconds (one matmul of
// a decoding step), where waking threads through a general-purpose queue costs more than
// the task: workers spin briefly on a generation counter before they sleep.

typedef void (*dst_pool_task)(void *context, int thread_index, int thread_count);
typedef struct dst_pool dst_pool;

// NULL if the threads cannot be created.
dst_pool *dst_pool_create(int thread_count);
// Runs task(context, i, thread_count) for every i in 0..<thread_count, the caller as
// thread 0, and returns when all are done. Not reentrant: one run at a time per pool.
void dst_pool_run(dst_pool *pool, dst_pool_task task, void *context);
void dst_pool_destroy(dst_pool *pool);

// Hands out work pieces: returns the counter's old value and adds one.
static inline int dst_take_piece(int *counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }

#endif
