# Chapter 12 (nbs/12_ddf.ipynb, 12a_intervals, 12b_bootstrap, 12c_compare): lmerTest / pbkrtest / lme4 numbers the chapter asserts against:
# lmerTest's vcov_varpar; Kenward-Roger (lmerTest + pbkrtest) and Satterthwaite on two unbalanced subsets;
# lme4's profile (zeta of its own devfun2 minimized tightly at our interval limits, its profile table at cor = 1,
# confint); confint at level 0.9 (uncorrelated sleepstudy); a singular fit's profile; simulate(); the parametric
# bootstrap's percentile intervals; anova on sleepstudy.
#   Rscript tests/R/ch12_inference.R        -> tests/R/out/ch12_inference.json   (a few minutes: profile and bootstrap)
source("tests/R/_common.R")
suppressMessages({library(lmerTest); library(pbkrtest); library(minqa)})
v <- versions(c("lme4", "lmerTest", "pbkrtest", "Matrix", "minqa", "jsonlite"))
art <- article(); ss <- sleep()
f1 <- y ~ x + a + x * a + (1 + x | unit)
m1t <- lmerTest::lmer(f1, art)                                   # = lme4's default fit, with lmerTest's extras
m1 <- lme4::lmer(f1, art)

# cell 28: asymptotic covariance of (theta, sigma)
varpar <- list(theta = unname(getME(m1t, "theta")), vcov_varpar = unname(m1t@vcov_varpar))

# cells 33-36: unbalanced subsets, Kenward-Roger and Satterthwaite at lmerTest's own estimates
keep <- (seq_len(nrow(art)) %% 7 != 0) & !(art$unit <= 5 & art$x > art$x[8])
d_unb <- art[keep, ]
s_unb <- ss[seq_len(nrow(ss)) %% 4 != 0 & !(ss$Subject %in% c("308", "309") & ss$Days > 3), ]
kr_case <- function(f, d) {
  m <- lmerTest::lmer(f, d)
  kr <- coef(summary(m, ddf = "Kenward-Roger")); sa <- coef(summary(m))
  list(nrow = nrow(d), theta = unname(getME(m, "theta")), kr_se = unname(kr[, "Std. Error"]), kr_df = unname(kr[, "df"]),
       satt_df = unname(sa[, "df"]), vcovAdj = unname(as.matrix(pbkrtest::vcovAdj(m))))
}
unbalanced <- list(article = kr_case(f1, d_unb), sleepstudy = kr_case(Reaction ~ Days + (Days | Subject), s_unb),
                   sleepstudy_uncorr = kr_case(Reaction ~ Days + (Days || Subject), s_unb))

# cells 52-53: lme4's own profiled deviance (devfun2 of the ML refit), minimized over the other parameters with
# bobyqa(rhoend = 1e-12) at a given value of one parameter; zeta = sign * sqrt(d - d_hat)
zeta_at <- function(m, which, value, cor_upper = 1 - 1e-10) {
  mml <- if (isREML(m)) refitML(m) else m
  dd <- lme4:::devfun2(mml, useSc = TRUE, signames = FALSE)
  np <- length(attr(dd, "thopt")) + 1                       # the variance parameters (sd, cor, sigma); fixef are profiled out
  opt <- attr(dd, "optimum")[seq_len(np)]; base <- attr(dd, "basedev")
  is_cor <- grepl("^cor_", names(opt))
  lower <- ifelse(is_cor, -1, 0); upper <- ifelse(is_cor, cor_upper, Inf)
  free <- setdiff(seq_len(np), which)
  f <- function(p) { full <- opt; full[which] <- value; full[free] <- p; dd(full) }
  r <- bobyqa(pmin(pmax(opt[free], lower[free]), upper[free]), f, lower = lower[free], upper = upper[free],
              control = list(rhoend = 1e-12, maxfun = 1e5))
  sign(value - opt[which]) * sqrt(max(r$fval - base, 0))
}
ours <- list(c(1, 0.10398229), c(1, 0.25071318), c(2, 0.66733835), c(3, 0.40605544), c(3, 0.68058692), c(4, 0.71655795), c(4, 0.78849012))
names(ours) <- c("sd_(Intercept)|unit@0.10398229", "sd_(Intercept)|unit@0.25071318", "cor_x.(Intercept)|unit@0.66733835",
                 "sd_x|unit@0.40605544", "sd_x|unit@0.68058692", "sigma@0.71655795", "sigma@0.78849012")
zeta_ours <- lapply(ours, function(o) zeta_at(m1, o[1], o[2]))
pr <- profile(m1, signames = FALSE)
prc <- as.data.frame(pr); cr <- prc[prc$.par == "cor_x.(Intercept)|unit", ]
profile_cor_top <- cr[order(-cr[["cor_x.(Intercept)|unit"]])[1:3], c(".zeta", "cor_x.(Intercept)|unit")]
ci_profile_m1 <- confint(pr, oldNames = FALSE)

# cells 57-58: the uncorrelated sleepstudy model at level 0.9
su <- lme4::lmer(Reaction ~ Days + (Days || Subject), ss)
ci_su_90 <- confint(su, level = 0.9, oldNames = FALSE)

# cells 59-60: a singular fit (data written by tests/R/make_data.py)
dsing <- read.csv("tests/R/data/ch12_singular.csv")
sing_warn <- character(0)
msing <- suppressMessages(lme4::lmer(y ~ x + (1 + x | g), dsing))
ci_sing <- withCallingHandlers(confint(msing, oldNames = FALSE),
                               warning = function(w) { sing_warn <<- c(sing_warn, conditionMessage(w)); invokeRestart("muffleWarning") })
sing_zeta <- list(at_lme4_limit = zeta_at(msing, 3, ci_sing["sd_x|g", 2]), at_0.1197180363 = zeta_at(msing, 3, 0.1197180363),
                  at_0.159689 = zeta_at(msing, 3, 0.159689))

# cells 64-65: simulate
sim1 <- simulate(m1, nsim = 2, seed = 1)
sim_u <- simulate(su, nsim = 1, seed = 7)

# cells 78-79: parametric bootstrap percentile intervals (boot.ci type "perc" through confint)
t0 <- proc.time()[["elapsed"]]
ci_boot <- suppressWarnings(suppressMessages(confint(m1, method = "boot", nsim = 200, seed = 2024, oldNames = FALSE)))
boot_seconds <- proc.time()[["elapsed"]] - t0

# cells 96-97: anova on sleepstudy
av <- suppressMessages(anova(lme4::lmer(Reaction ~ 1 + (Days || Subject), ss), su))

tab <- function(ci) list(rows = rownames(ci), lower = unname(ci[, 1]), upper = unname(ci[, 2]))
out <- list(provenance = paste(v, "; written by tests/R/ch12_inference.R"),
            varpar = varpar, unbalanced = unbalanced,
            zeta_at_our_limits = zeta_ours, profile_cor_top_rows = profile_cor_top, confint_profile_m1 = tab(ci_profile_m1),
            confint_sleepstudy_uncorr_90 = tab(ci_su_90),
            singular = list(theta = unname(getME(msing, "theta")), confint = tab(ci_sing), warnings = as.list(unique(sing_warn)),
                            zeta = sing_zeta),
            simulate_m1_seed1 = list(rows = c(1, 2, 3, 899, 900), sim_1 = sim1[c(1, 2, 3, 899, 900), 1], sim_2 = sim1[c(1, 2, 3, 899, 900), 2]),
            simulate_uncorr_seed7 = sim_u[1:3, 1],
            confint_boot_m1 = tab(ci_boot), boot_seconds = boot_seconds,
            anova_sleepstudy = list(AIC = av$AIC, Chisq = av$Chisq[2], p = av[["Pr(>Chisq)"]][2]))
str(out[c("varpar", "zeta_at_our_limits", "singular", "anova_sleepstudy")])
print(ci_profile_m1); print(ci_boot); print(ci_su_90); print(profile_cor_top)
write_out(out, "ch12_inference.json")
