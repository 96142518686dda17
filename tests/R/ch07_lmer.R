# Chapter 07 (nbs/07_lmer.ipynb): lme4's deviance of a REML fit, the quadratic sleepstudy fit with lme4's defaults,
# and the printed summaries whose layout the chapter reproduces (lme4's summary, lmerTest's fixed-effects table),
# plus R's format() on the numbers the chapter's formatting tests use.
#   Rscript tests/R/ch07_lmer.R        -> tests/R/out/ch07_lmer.json
source("tests/R/_common.R")
suppressMessages(library(lmerTest))
v <- versions(c("lme4", "lmerTest", "Matrix", "jsonlite"))
art <- article(); ss <- sleep()
printed <- function(x) paste(capture.output(print(x)), collapse = "\n")
m1 <- lme4::lmer(y ~ x + a + x * a + (1 + x | unit), art)                 # lme4's own summary (no df)
m1t <- lmerTest::lmer(y ~ x + a + x * a + (1 + x | unit), art)            # lmerTest's (Satterthwaite df, p)
s1t <- lmerTest::lmer(Reaction ~ Days + (Days | Subject), ss)
su <- lme4::lmer(Reaction ~ Days + (Days || Subject), ss)
q_warn <- character(0)
sq <- withCallingHandlers(lme4::lmer(Reaction ~ Days + (1 + Days + I(Days^2) | Subject), ss),
                          warning = function(w) { q_warn <<- c(q_warn, conditionMessage(w)); invokeRestart("muffleWarning") })
ct <- coef(summary(m1t)); cs <- coef(summary(s1t))
out <- list(
  provenance = paste(v, "; written by tests/R/ch07_lmer.R"),
  deviance_ML_of_REML_fit = deviance(m1, REML = FALSE),                  # 07 cell 29 (and 12 cell 9)
  quadratic_default = list(REMLcrit = REMLcrit(sq), warnings = as.list(q_warn), theta = unname(getME(sq, "theta"))),  # 07 cell 31
  article_m1_satterthwaite = list(df = unname(ct[, "df"]), p = unname(ct[, "Pr(>|t|)"])),               # 07 cell 45
  sleepstudy_satterthwaite_p = unname(cs[, "Pr(>|t|)"]),                                             # 07 cell 46
  summary_m1_lme4 = printed(summary(m1)),                                 # 07 cell 43
  # lme4 prints the AIC line only for ML fits; hlm_lit prints it for REML fits too: here are lme4's numbers, laid out by
  # lme4's own printer (.prt.aictab, as summary() of an ML fit uses it)
  aictab_m1 = paste(capture.output(lme4:::.prt.aictab(c(AIC = AIC(m1), BIC = BIC(m1), logLik = c(logLik(m1)),
                                                        REMLcrit = REMLcrit(m1), df.resid = df.residual(m1)))), collapse = "\n"),
  summary_m1_lmerTest = printed(summary(m1t)),                            # 07 cell 45
  summary_sleepstudy_lmerTest = printed(summary(s1t)),                    # 07 cell 46
  summary_uncorr_lme4 = printed(summary(su)),                             # 07 cell 48
  r_format = list(printed(format(c(0.0315000929, 0.28424051, 0.56413783), digits = 4)),              # 07 cell 34
                  printed(format(c(0.028142283, 0.265051597, 0.564138), digits = 4)),
                  printed(format(c(627.569, 35.8584, 653.5835), digits = 4)),
                  printed(format.pval(c(3.81e-20, 0.0269324073, 0.0038355184), digits = 3)),
                  printed(format.pval(c(1.17e-17, 3.26382446992738e-06), digits = 3))))
cat(out$summary_m1_lme4, "\n\n", out$summary_m1_lmerTest, "\n\n", out$summary_uncorr_lme4, "\n", sep = "")
cat(sprintf("deviance(m1, REML = FALSE) = %.15g\nquadratic, lme4 defaults: REMLcrit %.15g, warnings: %s\n",
            out$deviance_ML_of_REML_fit, out$quadratic_default$REMLcrit, paste(q_warn, collapse = " | ")))
write_out(out, "ch07_lmer.json")
