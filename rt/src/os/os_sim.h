/*
 * os_sim.h - the sim backend's half of the platform layer (os_sim.c).
 * os.c dispatches every rt__ call of os.h here while rt__sim_on is true.
 * Contracts are those of the rt__ function of the same name in os.h.
 */
#ifndef RT_OS_SIM_H
#define RT_OS_SIM_H

#include "os/os.h"

void rt__sim_lock(rt_mutex *l);
void rt__sim_unlock(rt_mutex *l);
bool rt__sim_lockheld(rt_mutex *l);
void rt__sim_noteclear(rt_note *n);
void rt__sim_notewakeup(rt_note *n);
void rt__sim_notesleep(rt_note *n);
bool rt__sim_notetsleep(rt_note *n, int64_t ns);
rt_thread *rt__sim_thread_start(void (*fn)(void *), void *arg);
void rt__sim_thread_join(rt_thread *t);
void *rt__sim_tls_get(void);
void rt__sim_tls_set(void *v);
int64_t rt__sim_nanotime(void);
void rt__sim_usleep(uint32_t us);
void rt__sim_procyield(uint32_t n);
void rt__sim_osyield(void);
void rt__sim_syscall_block(int64_t ns);
uint32_t rt__sim_curid(void);
int rt__sim_run(const struct rt_sim_source *src, void (*mainfn)(void *),
                void *arg);

#endif /* RT_OS_SIM_H */
