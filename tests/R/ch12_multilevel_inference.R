# Chapter 12 (nbs/12_ddf.ipynb, 12a_intervals, 12b_bootstrap, 12c_compare), "Several grouping factors": lme4's simulate, bootMer, Wald and profile
# intervals and anova for models with several grouping factors (Oats, Machines) and with prior weights (the article's
# model with weights) and crossed factors (ScotsSec), on the data of ../shared/data/multilevel/.
#   Rscript tests/R/ch12_multilevel_inference.R     -> tests/R/out/ch12_multilevel_inference.json (about a minute)
source("tests/R/_common.R")
v <- versions(c("lme4", "Matrix", "minqa", "jsonlite"))
dd <- "../shared/data/multilevel/"
oats <- read.csv(paste0(dd, "oats_nested.csv"))
mach <- read.csv(paste0(dd, "machines_interaction.csv"), colClasses = c(Worker = "character"))
artw <- read.csv(paste0(dd, "article_weighted.csv"))
scot <- read.csv(paste0(dd, "scotssec_crossed.csv"))
fits <- list(oats = lmer(yield ~ nitro + (1 | Block/Variety), oats),
             machines = lmer(score ~ Machine + (1 | Worker) + (1 | Worker:Machine), mach),
             weighted = lmer(y ~ x + a + x:a + (1 + x | unit), artw, weights = w),
             scotssec = lmer(attain ~ verbal + sex + (1 | primary) + (1 | second), scot))
tab <- function(ci) list(rows = rownames(ci), lower = unname(ci[, 1]), upper = unname(ci[, 2]))
rows <- c(1, 2, 3)
one <- function(m) {
  n <- nobs(m)
  s <- simulate(m, nsim = 2, seed = 1)
  bt <- bootMer(m, function(f) c(getME(f, "theta"), sigma(f), fixef(f)), nsim = 3, seed = 5)
  list(theta = unname(getME(m, "theta")), sigma = sigma(m), fixef = unname(fixef(m)),
       simulate_seed1 = list(rows = c(1, 2, 3, n), sim_1 = s[c(1, 2, 3, n), 1], sim_2 = s[c(1, 2, 3, n), 2]),
       bootMer_seed5 = unname(bt$t),
       confint_wald = tab(confint(m, method = "Wald", oldNames = FALSE)),
       confint_profile = tab(confint(m, method = "profile", oldNames = FALSE)),
       confint_profile_oldnames = rownames(confint(m, method = "Wald")))
}
out <- lapply(fits, one)
# anova of two weighted models
m0w <- lmer(y ~ x + (1 + x | unit), artw, weights = w)
av <- anova(m0w, fits$weighted)
out$anova_weighted <- list(npar = av$npar, AIC = av$AIC, BIC = av$BIC, logLik = av$logLik, deviance = av$deviance,
                           Chisq = av$Chisq[2], Df = av$Df[2], p = av[["Pr(>Chisq)"]][2])
# Independent checks of our profile limits where they differ from lme4's confint by more than 1e-4 (relative):
# (a) Oats, lower limit of sd_(Intercept)|Block: lme4's own devfun2 of the ML refit, minimized over the other variance
#     parameters with bobyqa(rhoend = 1e-12), at our limit (rounded to 8 digits) and at lme4's (as chapter 12 does)
suppressMessages(library(minqa))
zeta_at <- function(m, which, value) {
  mml <- if (isREML(m)) refitML(m) else m
  dd <- lme4:::devfun2(mml, useSc = TRUE, signames = FALSE)
  np <- length(attr(dd, "thopt")) + 1
  opt <- attr(dd, "optimum")[seq_len(np)]; base <- attr(dd, "basedev")
  is_cor <- grepl("^cor_", names(opt))
  lower <- ifelse(is_cor, -1, 0); upper <- ifelse(is_cor, 1 - 1e-10, Inf)
  free <- setdiff(seq_len(np), which)
  f <- function(p) { full <- opt; full[which] <- value; full[free] <- p; dd(full) }
  r <- bobyqa(pmin(pmax(opt[free], lower[free]), upper[free]), f, lower = lower[free], upper = upper[free],
              control = list(rhoend = 1e-12, maxfun = 1e5))
  sign(value - opt[which]) * sqrt(max(r$fval - base, 0))
}
out$oats$zeta_block_sd <- list(at_ours_2.76577143 = zeta_at(fits$oats, 2, 2.76577143),
                               at_lme4 = zeta_at(fits$oats, 2, out$oats$confint_profile$lower[2]))
# (b) the weighted model's fixed effects: lme4 1.1-31's profile of them is wrong with prior weights (lme4 issue #192:
#     its devfun2 profiles sigma and the fixed effects inconsistently); zeta from first principles instead: the ML
#     deviance of the model with phi_j held at v as an offset (column j dropped), fitted tightly, against the ML fit's
X <- model.matrix(~ x + a + x:a, artw); colnames(X) <- paste0("X", seq_len(ncol(X)))
dw <- cbind(artw, X)
mlw <- lmer(y ~ 0 + X1 + X2 + X3 + X4 + (1 + x | unit), dw, weights = w, REML = FALSE, control = tight_control)
zeta_fixed <- function(j, v) {
  fo <- as.formula(paste("y ~ 0 +", paste(colnames(X)[-j], collapse = " + "), "+ (1 + x | unit)"))
  m <- lmer(fo, dw, weights = w, REML = FALSE, offset = v * X[, j], control = tight_control,
            start = getME(mlw, "theta"))
  sign(v - fixef(mlw)[j]) * sqrt(max(deviance(m) - deviance(mlw), 0))
}
ours_w <- list(c(1, 0.86320815), c(1, 1.0415096), c(2, 2.86362159), c(2, 3.25869977), c(3, -0.20279163), c(3, 0.00367762),
               c(4, 0.12595439), c(4, 0.58344646))
out$weighted$zeta_fixed_at_ours <- lapply(ours_w, function(o) zeta_fixed(o[1], o[2]))
out$weighted$zeta_fixed_at_lme4 <- lapply(1:4, function(j) zeta_fixed(j, out$weighted$confint_profile$lower[4 + j]))
out$weighted$ml_deviance <- deviance(mlw)
out$provenance <- paste(v, "; written by tests/R/ch12_multilevel_inference.R")
str(out)
write_out(out, "ch12_multilevel_inference.json")
