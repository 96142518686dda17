# Chapter 14 (nbs/14_mathachieve.ipynb): the High School and Beyond models fitted by lme4, run to full precision
# (REML criteria of m0, m1, m2; ML deviances of m1, m2; m2's fixed effects, SEs and theta), lme4's default fit of m2,
# and the likelihood-ratio test of m2 against m1.
#   Rscript tests/R/ch14_mathachieve.R        -> tests/R/out/ch14_mathachieve.json
source("tests/R/_common.R")
v <- versions()
ma <- read.csv(file.path(data_dir, "MathAchieve.csv")); sch <- read.csv(file.path(data_dir, "MathAchSchool.csv"))
df <- merge(ma, sch[, c("School", "Sector")], by = "School", sort = FALSE)
df$cSES <- df$SES - df$MEANSES; df$School <- factor(df$School)
stopifnot(nrow(df) == 7185, nlevels(df$School) == 160)
forms <- list(m0 = MathAch ~ cSES + (cSES | School),
              m1 = MathAch ~ MEANSES + cSES + Sector + (cSES | School),
              m2 = MathAch ~ MEANSES * cSES + Sector * cSES + (cSES | School))
reml <- lapply(forms, fit_tight, data = df)
ml <- lapply(forms[c("m1", "m2")], fit_tight, data = df, REML = FALSE)
m2 <- reml$m2
m2_default <- attr(m2, "default_fit")
chisq <- deviance(ml$m1) - deviance(ml$m2)
out <- list(provenance = paste(v, "; tight = bobyqa rhoend 1e-12 from four starts (tests/R/_common.R); written by tests/R/ch14_mathachieve.R"),
            REMLcrit = lapply(reml, REMLcrit), ML_deviance = lapply(ml, deviance),
            m2 = list(fixef = as.list(fixef(m2)), se = unname(sqrt(diag(as.matrix(vcov(m2))))), theta = unname(getME(m2, "theta"))),
            m2_default_REMLcrit = REMLcrit(m2_default),
            lrt_m2_vs_m1 = list(Chisq = chisq, Df = 2, p = pchisq(chisq, 2, lower.tail = FALSE),
                                anova_default_fits = as.data.frame(suppressMessages(anova(lme4::lmer(forms$m1, df), lme4::lmer(forms$m2, df))))[2, c("Chisq", "Pr(>Chisq)")]))
str(out)
write_out(out, "ch14_mathachieve.json")
