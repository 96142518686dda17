# lme4's anova(refit = FALSE) of chapter 12c: two REML fits of sleepstudy with the same fixed effects (Days),
# uncorrelated and correlated random intercept and slope. The numbers are inlined in nbs/12c_compare.ipynb.
# Run from the repository root: Rscript tests/R/ch12c_anova_reml.R
source("tests/R/_common.R")
versions()
d <- sleep()
mu <- lmer(Reaction ~ Days + (Days || Subject), d)
mc <- lmer(Reaction ~ Days + (Days | Subject), d)
a <- anova(mu, mc, refit = FALSE)
print(a, digits = 12)
cat(sprintf("logLik %.10f %.10f Chisq %.10f Df %d p %.12g\n", a$logLik[1], a$logLik[2], a$Chisq[2], a$Df[2], a$`Pr(>Chisq)`[2]))
