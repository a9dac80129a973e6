/*
 * sanitizer.h - which sanitizer this file is compiled under: RT_ASAN
 * (AddressSanitizer) and RT_TSAN (ThreadSanitizer) are defined to 1 when
 * on, under gcc (__SANITIZE_*__) and clang (__has_feature) alike.
 */
#ifndef RT_SANITIZER_H
#define RT_SANITIZER_H

#if defined(__SANITIZE_ADDRESS__)
#define RT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RT_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define RT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RT_TSAN 1
#endif
#endif

#endif /* RT_SANITIZER_H */
