/*
 * os_threads.h - the threads backend's half of the platform layer
 * (os_threads.c). Contracts are those of the rt__ function of the same
 * name in os.h.
 */
#ifndef RT_OS_THREADS_H
#define RT_OS_THREADS_H

#include "os/os.h"

void rt__thr_lock(rt_mutex *l);
void rt__thr_unlock(rt_mutex *l);
bool rt__thr_lockheld(rt_mutex *l);
void rt__thr_noteclear(rt_note *n);
void rt__thr_notewakeup(rt_note *n);
void rt__thr_notesleep(rt_note *n);
bool rt__thr_notetsleep(rt_note *n, int64_t ns);
rt_thread *rt__thr_thread_start(void (*fn)(void *), void *arg);
void rt__thr_thread_join(rt_thread *t);
void *rt__thr_tls_get(void);
void rt__thr_tls_set(void *v);
int64_t rt__thr_nanotime(void);
void rt__thr_usleep(uint32_t us);
void rt__thr_procyield(uint32_t n);
void rt__thr_osyield(void);
void rt__thr_syscall_block(int64_t ns);
uint32_t rt__thr_curid(void);
int rt__thr_run(void (*mainfn)(void *), void *arg);

#endif /* RT_OS_THREADS_H */
