/* mlplab's one-pass optimiser updates in C, the in-process-cheap twin of the numba kernels.
 *
 * Each loop is the reference update (optim/adam.py, nadam.py, rmsprop.py, adagrad.py, sgd.py,
 * momentum.py) for one element, every line rounded as the NumPy reference rounds it: no fast-math,
 * -ffp-contract=off (so a * b + c stays two roundings), FMA only where the reference rounds once
 * (inplace.add_, PyTorch's add_(alpha=)); -fno-trapping-math only lets the compiler compute both
 * sides of a branch and keep one (values unchanged; FP exception flags are not looked at here).
 * Subnormals are kept (no -ffast-math, so no flush-to-zero). T is float or double; the scalars
 * come in T, as the reference's NumPy scalars are cast to the arrays' dtype. Built by native.py;
 * tested bitwise (tests/optim/test_kernels_bitwise.py).
 * An option that leaves a state array out gets a loop of its own (a constant flag in an inlined
 * body), so that array, a 1-element stand-in, is never in the loop the compiler vectorises; so does
 * lerp's branch (from_b), without which GCC 12 gives up if-converting Adam's loop (not vectorised,
 * 8x slower: measured).
 */
#include <math.h>
#include <stddef.h>

#define RMSPROP_LOOP(S, CENTERED, FROM_B, USE_MOMENTUM)                                           \
    rmsprop_loop_##S(w, g, square_avg, buffer, grad_avg, n, maximize, weight_decay, alpha, c,      \
                     CENTERED, FROM_B, c_avg, eps, momentum, USE_MOMENTUM, neg_lr)
#define SGD_LOOP(S, USE_MOMENTUM, FIRST, NESTEROV)                                                 \
    sgd_loop_##S(w, g, buffer, n, maximize, weight_decay, USE_MOMENTUM, FIRST, momentum, c,        \
                 NESTEROV, neg_lr)
#define ADAM_LOOP(S, AMSGRAD, FROM_B)                                                              \
    adam_loop_##S(w, g, m, v, v_max, n, maximize, weight_decay, decay, FROM_B, c1, beta2, c2,      \
                  AMSGRAD, bc2_sqrt, eps, neg_step_size)

#define DEFINE_KERNELS(T, S, SQRT, FMA)                                                            \
    static inline T axpy_##S(T a, T x, T y) { /* y + a x rounded once; y when a == 0 (BLAS) */   \
        return a == 0 ? y : FMA(a, x, y);                                                      \
    }                                                                                          \
    static inline T gradient_##S(T gi, T wi, int maximize, T weight_decay) {                   \
        if (maximize) gi = -gi;                                                                \
        if (weight_decay != 0) gi = axpy_##S(weight_decay, wi, gi); /* g + weight_decay w */   \
        return gi;                                                                             \
    }                                                                                          \
    static inline T lerp_##S(T a, T b, int from_b, T c) { /* inplace.lerp_'s two branches */  \
        return from_b ? axpy_##S(c, b - a, b) : axpy_##S(c, b - a, a);                         \
    }                                                                                          \
    static inline __attribute__((always_inline)) void adam_loop_##S(                         \
        T *w, const T *g, T *m, T *v, T *v_max, ptrdiff_t n, int maximize, T weight_decay,     \
        T decay, const int from_b, T c1, T beta2, T c2, const int amsgrad, T bc2_sqrt, T eps,  \
        T neg_step_size) {                                                                     \
        for (ptrdiff_t i = 0; i < n; i++) {                                                    \
            T wi = w[i];                                                                       \
            T gi = gradient_##S(g[i], wi, maximize, weight_decay);                             \
            if (decay != 1) wi = wi * decay;            /* AdamW: w <- w (1 - lr wd) */         \
            T mi = lerp_##S(m[i], gi, from_b, c1);      /* m <- beta1 m + (1 - beta1) g */      \
            m[i] = mi;                                                                         \
            T vi = v[i] * beta2 + (gi * c2) * gi;       /* v <- beta2 v + (1 - beta2) g g */    \
            v[i] = vi;                                                                         \
            if (amsgrad) {                                                                     \
                T top = v_max[i];                                                              \
                if (!(top >= vi || top != top)) top = vi; /* np.maximum, NaN kept */            \
                v_max[i] = top;                                                                \
                vi = top;                                                                      \
            }                                                                                  \
            T denom = SQRT(vi) / bc2_sqrt + eps;                                               \
            w[i] = wi + (mi * neg_step_size) / denom;                                          \
        }                                                                                      \
    }                                                                                          \
    void adam_##S(T *w, const T *g, T *m, T *v, T *v_max, ptrdiff_t n, int maximize,           \
                  T weight_decay, T decay, int from_b, T c1, T beta2, T c2, int amsgrad,       \
                  T bc2_sqrt, T eps, T neg_step_size) {                                        \
        if (amsgrad && from_b)                                                                 \
            ADAM_LOOP(S, 1, 1);                                                                \
        else if (amsgrad)                                                                      \
            ADAM_LOOP(S, 1, 0);                                                                \
        else if (from_b)                                                                       \
            ADAM_LOOP(S, 0, 1);                                                                \
        else                                                                                   \
            ADAM_LOOP(S, 0, 0);                                                                \
    }                                                                                          \
    static inline __attribute__((always_inline)) void nadam_loop_##S(                        \
        T *w, const T *g, T *m, T *v, ptrdiff_t n, int maximize, T weight_decay, T decay,      \
        const int from_b, T c1, T beta2, T c2, T bias_correction2, T eps, T grad_coef,         \
        T avg_coef) {                                                                          \
        for (ptrdiff_t i = 0; i < n; i++) {                                                    \
            T wi = w[i];                                                                       \
            T gi = gradient_##S(g[i], wi, maximize, weight_decay);                             \
            if (decay != 1) wi = wi * decay;                                                   \
            T mi = lerp_##S(m[i], gi, from_b, c1);                                             \
            m[i] = mi;                                                                         \
            T vi = v[i] * beta2 + (gi * c2) * gi;                                              \
            v[i] = vi;                                                                         \
            T denom = SQRT(vi / bias_correction2) + eps;                                       \
            wi = wi + (gi * grad_coef) / denom;                                                \
            w[i] = wi + (mi * avg_coef) / denom;                                               \
        }                                                                                      \
    }                                                                                          \
    void nadam_##S(T *w, const T *g, T *m, T *v, ptrdiff_t n, int maximize, T weight_decay,    \
                   T decay, int from_b, T c1, T beta2, T c2, T bias_correction2, T eps,        \
                   T grad_coef, T avg_coef) {                                                  \
        if (from_b)                                                                            \
            nadam_loop_##S(w, g, m, v, n, maximize, weight_decay, decay, 1, c1, beta2, c2,     \
                           bias_correction2, eps, grad_coef, avg_coef);                        \
        else                                                                                   \
            nadam_loop_##S(w, g, m, v, n, maximize, weight_decay, decay, 0, c1, beta2, c2,     \
                           bias_correction2, eps, grad_coef, avg_coef);                        \
    }                                                                                          \
    static inline __attribute__((always_inline)) void rmsprop_loop_##S(                      \
        T *w, const T *g, T *square_avg, T *buffer, T *grad_avg, ptrdiff_t n, int maximize,    \
        T weight_decay, T alpha, T c, const int centered, const int from_b, T c_avg, T eps,    \
        T momentum, const int use_momentum, T neg_lr) {                                        \
        for (ptrdiff_t i = 0; i < n; i++) {                                                    \
            T wi = w[i];                                                                       \
            T gi = gradient_##S(g[i], wi, maximize, weight_decay);                             \
            T si = square_avg[i] * alpha + (gi * c) * gi; /* S <- alpha S + (1 - alpha) g g */  \
            square_avg[i] = si;                                                                \
            T avg;                                                                             \
            if (centered) {                                                                    \
                T ai = lerp_##S(grad_avg[i], gi, from_b, c_avg);                               \
                grad_avg[i] = ai;                                                              \
                avg = SQRT(si - ai * ai) + eps;                                                \
            } else {                                                                           \
                avg = SQRT(si) + eps;                                                          \
            }                                                                                  \
            if (use_momentum) {                                                                \
                T bi = buffer[i] * momentum + gi / avg; /* b <- momentum b + g / avg */         \
                buffer[i] = bi;                                                                \
                w[i] = axpy_##S(neg_lr, bi, wi);                                               \
            } else {                                                                           \
                w[i] = wi + (gi * neg_lr) / avg;                                               \
            }                                                                                  \
        }                                                                                      \
    }                                                                                          \
    void rmsprop_##S(T *w, const T *g, T *square_avg, T *buffer, T *grad_avg, ptrdiff_t n,     \
                     int maximize, T weight_decay, T alpha, T c, int centered, int from_b,     \
                     T c_avg, T eps, T momentum, int use_momentum, T neg_lr) {                 \
        /* one loop per set of arrays used: an unused array (1 element) would fail the */     \
        /* compiler's overlap check, and the loop would not be vectorised */                   \
        if (centered && use_momentum && from_b)                                                \
            RMSPROP_LOOP(S, 1, 1, 1);                                                          \
        else if (centered && use_momentum)                                                     \
            RMSPROP_LOOP(S, 1, 0, 1);                                                          \
        else if (centered && from_b)                                                           \
            RMSPROP_LOOP(S, 1, 1, 0);                                                          \
        else if (centered)                                                                     \
            RMSPROP_LOOP(S, 1, 0, 0);                                                          \
        else if (use_momentum)                                                                 \
            RMSPROP_LOOP(S, 0, 0, 1);                                                          \
        else                                                                                   \
            RMSPROP_LOOP(S, 0, 0, 0);                                                          \
    }                                                                                          \
    void adagrad_##S(T *w, const T *g, T *total, ptrdiff_t n, int maximize, T weight_decay,    \
                     T eps, T neg_clr) {                                                       \
        for (ptrdiff_t i = 0; i < n; i++) {                                                    \
            T wi = w[i];                                                                       \
            T gi = gradient_##S(g[i], wi, maximize, weight_decay);                             \
            T ti = total[i] + gi * gi; /* G <- G + g g */                                       \
            total[i] = ti;                                                                     \
            w[i] = wi + (gi * neg_clr) / (SQRT(ti) + eps);                                     \
        }                                                                                      \
    }                                                                                          \
    static inline __attribute__((always_inline)) void sgd_loop_##S(                          \
        T *w, const T *g, T *buffer, ptrdiff_t n, int maximize, T weight_decay,                \
        const int use_momentum, const int first, T momentum, T c, const int nesterov,          \
        T neg_lr) {                                                                            \
        for (ptrdiff_t i = 0; i < n; i++) {                                                    \
            T wi = w[i];                                                                       \
            T gi = gradient_##S(g[i], wi, maximize, weight_decay);                             \
            if (use_momentum) {                                                                \
                T bi = first ? gi : axpy_##S(c, gi, buffer[i] * momentum);                     \
                buffer[i] = bi;                                                                \
                gi = nesterov ? axpy_##S(momentum, bi, gi) : bi;                               \
            }                                                                                  \
            w[i] = axpy_##S(neg_lr, gi, wi); /* w <- w - lr g */                                \
        }                                                                                      \
    }                                                                                          \
    /* plain SGD (no momentum), one loop per option so the hot one is a load, an FMA, a store */ \
    static inline __attribute__((always_inline)) void sgd_plain_loop_##S(                    \
        T *w, const T *g, ptrdiff_t n, const int maximize, const int decay, T weight_decay,    \
        T neg_lr) {                                                                            \
        for (ptrdiff_t i = 0; i < n; i++) {                                                    \
            T wi = w[i];                                                                       \
            T gi = maximize ? -g[i] : g[i];                          /* g <- -g */              \
            if (decay) gi = FMA(weight_decay, wi, gi);               /* g <- g + wd w */        \
            w[i] = FMA(neg_lr, gi, wi);                              /* w <- w - lr g */        \
        }                                                                                      \
    }                                                                                          \
    static void sgd_plain_##S(T *w, const T *g, ptrdiff_t n, int maximize, T weight_decay,     \
                              T neg_lr) {                                                      \
        if (neg_lr == 0) return; /* add_ with alpha 0: BLAS axpy leaves w as it is */          \
        if (weight_decay != 0) { /* axpy's a == 0 rule: a decay that rounds to 0 is none */    \
            if (maximize)                                                                      \
                sgd_plain_loop_##S(w, g, n, 1, 1, weight_decay, neg_lr);                       \
            else                                                                               \
                sgd_plain_loop_##S(w, g, n, 0, 1, weight_decay, neg_lr);                       \
        } else if (maximize)                                                                   \
            sgd_plain_loop_##S(w, g, n, 1, 0, weight_decay, neg_lr);                           \
        else                                                                                   \
            sgd_plain_loop_##S(w, g, n, 0, 0, weight_decay, neg_lr);                           \
    }                                                                                          \
    void sgd_##S(T *w, const T *g, T *buffer, ptrdiff_t n, int maximize, T weight_decay,       \
                 int use_momentum, int first, T momentum, T c, int nesterov, T neg_lr) {       \
        if (use_momentum && first && nesterov)                                                 \
            SGD_LOOP(S, 1, 1, 1);                                                              \
        else if (use_momentum && first)                                                        \
            SGD_LOOP(S, 1, 1, 0);                                                              \
        else if (use_momentum && nesterov)                                                     \
            SGD_LOOP(S, 1, 0, 1);                                                              \
        else if (use_momentum)                                                                 \
            SGD_LOOP(S, 1, 0, 0);                                                              \
        else                                                                                   \
            sgd_plain_##S(w, g, n, maximize, weight_decay, neg_lr);                            \
    }                                                                                          \
    /* plain SGD over count parameters in one call: w[k] (n[k] elements) and its gradient g[k] */ \
    void sgd_many_##S(ptrdiff_t count, T *const *w, const T *const *g, const ptrdiff_t *n,     \
                      int maximize, T weight_decay, T neg_lr) {                                \
        for (ptrdiff_t k = 0; k < count; k++)                                                  \
            sgd_plain_##S(w[k], g[k], n[k], maximize, weight_decay, neg_lr);                   \
    }                                                                                          \
    /* Adam/AdamW (no amsgrad) over count parameters in one call: each through adam_##S, so */   \
    /* every element rounds as the one-array kernel (and the reference) rounds it */            \
    void adam_many_##S(ptrdiff_t count, T *const *w, const T *const *g, T *const *m,           \
                       T *const *v, const ptrdiff_t *n, int maximize, T weight_decay, T decay,  \
                       int from_b, T c1, T beta2, T c2, T bc2_sqrt, T eps, T neg_step_size) {   \
        for (ptrdiff_t k = 0; k < count; k++) /* v_max: never read without amsgrad */           \
            adam_##S(w[k], g[k], m[k], v[k], NULL, n[k], maximize, weight_decay, decay, from_b, \
                     c1, beta2, c2, 0, bc2_sqrt, eps, neg_step_size);                           \
    }                                                                                          \
    void momentum_##S(T *w, const T *g, T *velocity, ptrdiff_t n, int maximize,                \
                      T weight_decay, T alpha, T c, T neg_lr) {                                \
        for (ptrdiff_t i = 0; i < n; i++) {                                                    \
            T wi = w[i];                                                                       \
            T gi = gradient_##S(g[i], wi, maximize, weight_decay);                             \
            T vi = axpy_##S(c, gi, velocity[i] * alpha); /* v <- alpha v + (1 - alpha) g */     \
            velocity[i] = vi;                                                                  \
            w[i] = axpy_##S(neg_lr, vi, wi);                                                   \
        }                                                                                      \
    }

DEFINE_KERNELS(float, f32, sqrtf, fmaf)
DEFINE_KERNELS(double, f64, sqrt, fma)
