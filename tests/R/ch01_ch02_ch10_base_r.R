# Chapters 01, 02 and 10: the base R / mvtnorm numbers they assert (R's generator, qnorm, seq, the article's
# simulation, ppoints). Values are written as hexadecimal doubles (sprintf("%a")), so the comparison is bit for bit.
#   Rscript tests/R/ch01_ch02_ch10_base_r.R        -> tests/R/out/ch01_ch02_ch10_base_r.json
source("tests/R/_common.R")
suppressMessages({library(mvtnorm); library(digest)})
v <- versions(c("mvtnorm", "digest", "jsonlite"))
# the notebooks' digest(x): SHA-256 of the little-endian float64 bytes, row by row (numpy C order)
sha <- function(x) digest(writeBin(as.double(if (is.matrix(x)) t(x) else x), raw(), endian = "little"), algo = "sha256", serialize = FALSE)
hex <- function(x) sprintf("%a", x)
q <- 0.2; r <- 0.9; s <- 0.5
cov.matrix <- matrix(c(q^2, r * q * s, r * q * s, s^2), nrow = 2, byrow = TRUE)
out <- list(provenance = paste(v, "; written by tests/R/ch01_ch02_ch10_base_r.R"))
ev <- eigen(cov.matrix, symmetric = TRUE)                                               # 01 8f66a6bb: mvtnorm's factor (method "eigen")
out$mvtnorm_factor <- hex(t(ev$vectors %*% (t(ev$vectors) * sqrt(pmax(ev$values, 0)))))
set.seed(2345); out$runif4_seed2345 <- hex(runif(4))                                     # 01 11bb6ae0
out$qnorm_p <- hex(qnorm(c(1e-300, 1e-20, 1e-10, 0.01, 0.3, 0.5, 0.9, 0.999, 1 - 1e-12)))  # 01 30b461bd
out$qnorm_more <- hex(qnorm(c(0.075, 0.925, 1e-11, exp(-25), 2^-60)))
out$qnorm_0.975 <- hex(qnorm(0.975))
set.seed(2345); out$rnorm3_seed2345 <- hex(rnorm(3))                                     # 01 07895ffd, ab5f7383
g <- seq(-4, 4, by = 8/30); out$seq_grid <- hex(g[c(1, 2, 20, 31)]); out$seq_grid_length <- length(g)   # 01 d23a6063, 02 f409be69
out$seq_0_0.3 <- hex(seq(0, 0.3, by = 0.1))
set.seed(1); x <- rnorm(1e5); out$rnorm_1e5_seed1 <- hex(x[c(1, 2, 1000, 54321, 1e5)])  # 01 917e5264
out$digest_rnorm_1e5_seed1 <- sha(x)
set.seed(-7); out$rnorm2_seed_m7 <- hex(rnorm(2))                                        # 01 61c792f5
set.seed(0); out$runif2_seed0 <- hex(runif(2))
set.seed(7); out$runif3_2_5_seed7 <- hex(runif(3, 2, 5))
set.seed(2345); out$rnorm_recycled <- hex(rnorm(3, mean = c(10, 0, -5), sd = c(1, 0, 2))); out$rnorm_next <- hex(rnorm(1))
set.seed(2345); a <- rnorm(30); b <- rmvnorm(30, c(0, 0), cov.matrix, pre0.9_9994 = TRUE)   # 01 1f41ff82 (the article's call, old mvtnorm)
out$rmvnorm_article_row1 <- hex(b[1, ]); out$digest_rmvnorm_article <- sha(b)
set.seed(2345); a <- rnorm(30); out$rmvnorm_byrow_row1 <- hex(rmvnorm(30, c(0, 0), cov.matrix)[1, ])            # 01 83fd3b1d
set.seed(2345); a <- rnorm(30); out$rmvnorm_mean <- hex(t(rmvnorm(2, c(1, -1), cov.matrix, pre0.9_9994 = TRUE)))
S3 <- matrix(c(2, .5, .3, .5, 1, .2, .3, .2, .5), 3)
set.seed(42); out$rmvnorm_S3 <- hex(t(rmvnorm(4, c(0, 1, 2), S3, pre0.9_9994 = TRUE)))
# 02 f2603812, 4f05444c: the article's simulation, as the article writes it (mvtnorm's pre-0.9-9994 fill)
set.seed(2345); N <- 30; unit.df <- data.frame(unit = c(1:N), a = rnorm(N))
unit.df <- within(unit.df, { E.alpha.given.a <- 1 - 0.15 * a; E.beta.given.a <- 3 + 0.3 * a })
random.effects <- rmvnorm(N, mean = c(0, 0), sigma = cov.matrix, pre0.9_9994 = TRUE)
unit.df$alpha <- unit.df$E.alpha.given.a + random.effects[, 1]; unit.df$beta <- unit.df$E.beta.given.a + random.effects[, 2]
J <- 30; M <- J * N; x.grid <- seq(-4, 4, by = 8/J)[0:30]
within.unit.df <- data.frame(unit = sort(rep(c(1:N), J)), j = rep(c(1:J), N), x = rep(x.grid, N))
flat.df <- merge(unit.df, within.unit.df); flat.df <- within(flat.df, y <- alpha + x * beta + 0.75 * rnorm(n = M))
out$article_y <- hex(flat.df$y[c(1, 2, 3, 900)]); out$digest_article_y <- sha(flat.df$y)
out$digest_article_alpha_beta <- sha(as.matrix(unit.df[, c("alpha", "beta")]))
out$article_unit30 <- hex(unlist(unit.df[30, c("a", "E.beta.given.a", "E.alpha.given.a", "alpha", "beta")]))
out$ppoints5 <- hex(ppoints(5)); out$qnorm_ppoints900 <- hex(qnorm(ppoints(900))[c(1, 450)]); out$qnorm_0.75 <- hex(qnorm(0.75))   # 10
str(out)
write_out(out, "ch01_ch02_ch10_base_r.json")
