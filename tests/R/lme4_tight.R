# Regenerates hlm_lit/data/lme4_tight.json: lme4 run to the precision of its optimizer's arithmetic
# (bobyqa, rhoend = 1e-12, maxfun = 1e5, from four starts, best criterion kept) on the article's models (REML, ML),
# sleepstudy (correlated REML/ML, uncorrelated, quadratic q = 3). Used by chapters 07, 12 and 16.
#   Rscript tests/R/lme4_tight.R        -> tests/R/out/lme4_tight.json  (compare: python tests/R/compare.py)
source("tests/R/_common.R")
v <- versions()
info <- function(m) {
  re <- ranef(m, condVar = TRUE)[[1]]
  list(crit = crit_of(m), theta = unname(getME(m, "theta")), fixef = as.list(fixef(m)),
       se = unname(sqrt(diag(as.matrix(vcov(m))))), sigma = sigma(m),
       vcov = as.data.frame(VarCorr(m))$vcov,                 # as.data.frame(VarCorr(m))$vcov: variances, covariances, sigma^2
       ranef_head = unname(as.matrix(re[1:3, ])),
       condvar_first = tryCatch(attr(re, "postVar")[, , 1], error = function(e) NULL),
       crit_by_start = as.list(attr(m, "crits")))
}
art <- article(); ss <- sleep()
f1 <- y ~ x + a + x * a + (1 + x | unit); f0 <- y ~ x + (1 + x | unit)
out <- list(
  provenance = paste(v, "bobyqa with rhoend = 1e-12, maxfun = 1e5 from four starts (lme4's, the default fit's theta, x0.8, x1.2), best kept;",
                     "written by tests/R/lme4_tight.R"),
  article_m0_REML = info(fit_tight(f0, art)), article_m1_REML = info(fit_tight(f1, art)),
  article_m1_ML = info(fit_tight(f1, art, REML = FALSE)), article_m0_ML = info(fit_tight(f0, art, REML = FALSE)),
  sleepstudy_REML = info(fit_tight(Reaction ~ Days + (Days | Subject), ss)),
  sleepstudy_ML = info(fit_tight(Reaction ~ Days + (Days | Subject), ss, REML = FALSE)),
  sleepstudy_uncorr_REML = info(fit_tight(Reaction ~ Days + (Days || Subject), ss)),
  sleepstudy_quadratic_REML = info(fit_tight(Reaction ~ Days + (1 + Days + I(Days^2) | Subject), ss)))
for (k in names(out)[-1]) cat(sprintf("%-26s crit %.10f  starts: %s\n", k, out[[k]]$crit,
                                      paste(sprintf("%.10f", unlist(out[[k]]$crit_by_start)), collapse = " ")))
write_out(out, "lme4_tight.json")
