# Chapter 16 (nbs/16_robustness.ipynb, the near-collinear data sets collinear(1..12), `(1 + x + x2 | g)`): lme4's
# default REML criterion and lme4 run to full precision (fit_tight: bobyqa rhoend = 1e-12 from four starts), per seed.
# The chapter compares its fits and a brute-force Nelder-Mead search with these (seed 12: both stop at lme4's point,
# the brute-force search finds a lower one further along the ridge).
#   Rscript tests/R/ch16_collinear.R        -> tests/R/out/ch16_collinear.json   (~2 min)
source("tests/R/_common.R")
v <- versions()
source("tests/R/scan_data.R")                                # collinear()
res <- lapply(1:12, function(s) {
  d <- collinear(s)
  m0 <- suppressWarnings(suppressMessages(lmer(y ~ x + (1 + x + x2 | g), d)))
  mt <- fit_tight(y ~ x + (1 + x + x2 | g), d)
  list(seed = s, default_crit = REMLcrit(m0), tight_crit = REMLcrit(mt), tight_theta = unname(getME(mt, "theta")))
})
out <- list(provenance = paste(v, "; tight = bobyqa rhoend 1e-12 from four starts (tests/R/_common.R); written by tests/R/ch16_collinear.R"),
            collinear = res)
str(out, max.level = 2)
write_out(out, "ch16_collinear.json")
