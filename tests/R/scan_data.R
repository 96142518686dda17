# The data generators of chapter 16 (printed there) and of the convergence scan (bench/convergence_scan/):
# gen(seed, N, sizes, sd_int, sd_slope, rho) is a small unbalanced (1 + x | g) data set, collinear(seed) a set whose
# second slope column is x plus 1e-6 noise. Sourced by tests/R/ch16_robustness.R and bench/convergence_scan/lme4_tight.R.
gen <- function(seed, N, sizes, sd_int, sd_slope, rho, sigma = 1) {
  set.seed(seed); g <- rep(1:N, sizes); x <- rnorm(length(g)); u <- rnorm(N); v <- rnorm(N)
  b0 <- sd_int*u; b1 <- sd_slope*(rho*u + sqrt(1 - rho^2)*v)
  y <- 1 + 2*x + b0[g] + b1[g]*x + rnorm(length(g), 0, sigma)
  data.frame(g = g, x = x, y = y)
}
collinear <- function(seed, N = 8, J = 5) {
  set.seed(seed); g <- rep(1:N, each = J); x <- rnorm(N*J); x2 <- x + 1e-6*rnorm(N*J)
  u <- rnorm(N); v <- rnorm(N)
  data.frame(g = g, x = x, x2 = x2, y = 1 + x + u[g] + v[g]*x + rnorm(N*J))
}
sizes10 <- c(1, 2, 7, 4, 6, 2, 3, 5, 2, 6)
