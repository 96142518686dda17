# Writes ../../hlm_lit/data/nlme_residual_extra.json: nlme (and lme4) fits that the residual chapter (nbs/19_residual.ipynb)
# asserts against, beyond ../shared/reference/nlme_residual.json. Run from this folder: Rscript residual_extra.R
# Data: the CSVs shipped in hlm_lit/data (copies of nlme's Orthodont, Ovary and BodyWeight, as written by nlme_residual.R).
suppressMessages({library(nlme); library(lme4); library(jsonlite)})
cat(R.version.string, "| nlme", as.character(packageVersion("nlme")), "| lme4", as.character(packageVersion("lme4")), "\n")
dd <- "../../hlm_lit/data"
orth <- read.csv(file.path(dd, "orthodont.csv")); ov <- read.csv(file.path(dd, "ovary.csv")); bw <- read.csv(file.path(dd, "bodyweight.csv"))
bw$Diet <- as.character(bw$Diet); bw$Rat <- as.character(bw$Rat); ov$Mare <- as.character(ov$Mare)
ctl <- lmeControl(maxIter = 500, msMaxIter = 500, tolerance = 1e-10, msTol = 1e-12, returnObject = TRUE)
out <- list(versions = list(R = R.version.string, nlme = as.character(packageVersion("nlme")), lme4 = as.character(packageVersion("lme4"))))
one <- function(m) {
  vf <- if (is.null(m$modelStruct$varStruct)) NULL else as.list(coef(m$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE))
  cf <- if (is.null(m$modelStruct$corStruct)) NULL else as.list(coef(m$modelStruct$corStruct, unconstrained = FALSE))
  list(logLik = as.numeric(logLik(m)), fixef = as.list(fixef(m)), se = as.list(sqrt(diag(vcov(m)))), sigma = m$sigma,
       varStruct = vf, corStruct = cf, AIC = AIC(m), BIC = BIC(m))
}
# 1. Orthodont without a residual structure: nlme's REML logLik and lme4's REML criterion
m_n <- lme(distance ~ age * Sex, random = ~ age | Subject, data = orth, method = "REML", control = ctl)
m_l <- lmer(distance ~ age * Sex + (age | Subject), data = orth, REML = TRUE)
out$orthodont_iid <- list(nlme_logLik = as.numeric(logLik(m_n)), lme4_REMLcrit = REMLcrit(m_l))
# 2. BodyWeight: iid, varIdent(Diet), AR(1), both (the chapter's sequence), REML, and the LR tests nlme's anova reports
f <- weight ~ Time * Diet
b0 <- lme(f, random = ~ Time | Rat, data = bw, method = "REML", control = ctl)
b1 <- update(b0, weights = varIdent(form = ~ 1 | Diet))
b2 <- update(b0, correlation = corAR1(form = ~ 1 | Rat))
b3 <- update(b0, weights = varIdent(form = ~ 1 | Diet), correlation = corAR1(form = ~ 1 | Rat))
out$bodyweight <- list(iid = one(b0), varident = one(b1), ar1 = one(b2), both = one(b3),
  anova_iid_ar1 = as.list(anova(b0, b2)[2, c("L.Ratio", "p-value")]),
  anova_ar1_both = as.list(anova(b2, b3)[2, c("L.Ratio", "p-value")]))
# nlme's ACF of the iid fit's Pearson residuals and of the full model's normalized residuals; nlme's intervals for the full model
out$bodyweight$acf_iid_pearson <- ACF(b0, resType = "pearson")$ACF
out$bodyweight$acf_both_normalized <- ACF(b3, resType = "normalized")$ACF
iv <- intervals(b3, which = "var-cov")
out$bodyweight$intervals_both <- list(corStruct = as.list(as.data.frame(iv$corStruct)), varStruct = as.list(as.data.frame(iv$varStruct)))
# 3. AR(1) on integer times with gaps: Ovary, occasion index t within Mare, every 7th row (from the 3rd) dropped
ov$t <- ave(seq_len(nrow(ov)), ov$Mare, FUN = seq_along)
ovg <- ov[seq_len(nrow(ov)) %% 7 != 3, ]
g1 <- lme(follicles ~ s + c, random = ~ 1 | Mare, data = ovg, correlation = corAR1(form = ~ t | Mare), method = "REML", control = ctl)
g1ml <- update(g1, method = "ML")
out$ovary_gaps <- list(REML = one(g1), ML = one(g1ml), rows_dropped = which(seq_len(nrow(ov)) %% 7 == 3))
# 4. a stratum that changes within a unit, with AR(1): BodyWeight, variance by period (Time <= 29 early, else late)
bw$period <- ifelse(bw$Time <= 29, "early", "late")
p1 <- lme(f, random = ~ 1 | Rat, data = bw, weights = varIdent(form = ~ 1 | period),
          correlation = corAR1(form = ~ 1 | Rat), method = "REML", control = ctl)
p1ml <- update(p1, method = "ML")
out$bodyweight_period <- list(REML = one(p1), ML = one(p1ml))
# 5. random intercepts only: iid against AR(1) (the chapter's fixed-effect standard errors)
r0 <- lme(f, random = ~ 1 | Rat, data = bw, method = "REML", control = ctl)
r1 <- update(r0, correlation = corAR1(form = ~ 1 | Rat))
out$bodyweight_ri <- list(iid = one(r0), ar1 = one(r1))
write_json(out, file.path(dd, "nlme_residual_extra.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("written\n")
