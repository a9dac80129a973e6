/*
 * os.c - dispatch of the platform layer to the chosen backend.
 *
 * rt__sim_on is written only by rt__os_run before the first M starts and
 * after the last one has stopped, so a plain global is enough: every M
 * reads it after the thread start that happens-after the write.
 */
#include <malloc.h>

#include "os/os.h"
#include "os/os_sim.h"
#include "os/os_threads.h"
#include "os/sanitizer.h"
#include "rt.h"

#ifdef RT_ASAN
#include <sanitizer/asan_interface.h>
#endif

bool rt__sim_on;

#define DISPATCH(name, ...)                                                    \
    (rt__sim_on ? rt__sim_##name(__VA_ARGS__) : rt__thr_##name(__VA_ARGS__))

void rt__lock(rt_mutex *l)
{
    DISPATCH(lock, l);
}

void rt__unlock(rt_mutex *l)
{
    DISPATCH(unlock, l);
}

bool rt__lockheld(rt_mutex *l)
{
    return DISPATCH(lockheld, l);
}

void rt__noteclear(rt_note *n)
{
    DISPATCH(noteclear, n);
}

void rt__notewakeup(rt_note *n)
{
    DISPATCH(notewakeup, n);
}

void rt__notesleep(rt_note *n)
{
    DISPATCH(notesleep, n);
}

bool rt__notetsleep(rt_note *n, int64_t ns)
{
    return DISPATCH(notetsleep, n, ns);
}

rt_thread *rt__thread_start(void (*fn)(void *), void *arg)
{
    return DISPATCH(thread_start, fn, arg);
}

void rt__thread_join(rt_thread *t)
{
    DISPATCH(thread_join, t);
}

void *rt__tls_get(void)
{
    return DISPATCH(tls_get);
}

void rt__tls_set(void *v)
{
    DISPATCH(tls_set, v);
}

int64_t rt__nanotime(void)
{
    return DISPATCH(nanotime);
}

void rt__usleep(uint32_t us)
{
    DISPATCH(usleep, us);
}

void rt__procyield(uint32_t n)
{
    DISPATCH(procyield, n);
}

void rt__osyield(void)
{
    DISPATCH(osyield);
}

void rt__syscall_block(int64_t ns)
{
    DISPATCH(syscall_block, ns);
}

uint32_t rt__os_curid(void)
{
    return DISPATCH(curid);
}

int rt__os_run(int backend, const struct rt_sim_source *src,
               void (*mainfn)(void *), void *arg)
{
    int rc;

    if (backend == RT_BACKEND_THREADS)
        return rt__thr_run(mainfn, arg);
    if (backend != RT_BACKEND_SIM || src == NULL)
        return RT_EINVAL;
    rt__sim_on = true;
    rc = rt__sim_run(src, mainfn, arg);
    rt__sim_on = false;
    return rc;
}

/* rt__os_heapbytes: see os.h. */
size_t rt__os_heapbytes(void)
{
    return mallinfo2().uordblks;
}

/* rt__os_poison: see os.h. */
void rt__os_poison(const volatile void *p, size_t n)
{
#ifdef RT_ASAN
    __asan_poison_memory_region(p, n);
#else
    (void)p;
    (void)n;
#endif
}

/* rt__os_unpoison: see os.h. */
void rt__os_unpoison(const volatile void *p, size_t n)
{
#ifdef RT_ASAN
    __asan_unpoison_memory_region(p, n);
#else
    (void)p;
    (void)n;
#endif
}
