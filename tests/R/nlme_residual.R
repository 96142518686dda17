# A copy of ../shared/reference/R/nlme_residual.R (run it there); its output is shipped as hlm_lit/data/nlme_residual.json
# and its data as hlm_lit/data/{orthodont,ovary,bodyweight}.csv. Prints the R and nlme versions (the copy adds that line).
# Writes ../nlme_residual.json and ../../data/residual/*.csv. Run from this folder: Rscript nlme_residual.R
# R 4.2.2, nlme 3.1 (Debian packages).
# nlme references for residual (R-side) structures that lme4 lacks: variance by stratum (varIdent) and AR(1) errors.
suppressMessages({library(nlme); library(jsonlite); library(mlmRev)})
cat(R.version.string, "| nlme", as.character(packageVersion("nlme")), "\n")
ddir <- "../../data/residual"
dir.create(ddir, showWarnings = FALSE, recursive = TRUE)
cases <- list()
add <- function(name, fixed, random, d, weights = NULL, correlation = NULL, lmer_formula, residual, note = "") {
  nlme_code <- paste0("lme(", deparse(fixed), ", random = ", deparse(random), ", data = d",
    if (!is.null(weights)) paste0(", weights = ", deparse(substitute(weights))) else "",
    if (!is.null(correlation)) paste0(", correlation = ", deparse(substitute(correlation))) else "", ", method = \"REML\")")
  f <- file.path(ddir, paste0(name, ".csv")); write.csv(d, f, row.names = FALSE)
  t0 <- proc.time()[["elapsed"]]
  m <- lme(fixed, random = random, data = d, weights = weights, correlation = correlation, method = "REML",
           control = lmeControl(maxIter = 500, msMaxIter = 500, tolerance = 1e-10, msTol = 1e-12, returnObject = TRUE))
  secs <- proc.time()[["elapsed"]] - t0
  mml <- update(m, method = "ML")
  vf <- if (is.null(weights)) NULL else as.list(coef(m$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE))
  cf <- if (is.null(correlation)) NULL else as.list(coef(m$modelStruct$corStruct, unconstrained = FALSE))
  vc <- VarCorr(m)
  cases[[length(cases) + 1]] <<- list(name = name, lmer_formula = lmer_formula, residual = residual, note = note,
    data = paste0("data/residual/", name, ".csv"),
    nlme_code = nlme_code, seconds = secs,
    REML = list(logLik = as.numeric(logLik(m)), fixef = as.list(fixef(m)), se = as.list(sqrt(diag(vcov(m)))),
                sigma = m$sigma, varStruct = vf, corStruct = cf,
                re_sd = as.numeric(vc[seq_len(nrow(vc) - 1), "StdDev"]), AIC = AIC(m), BIC = BIC(m)),
    ML = list(logLik = as.numeric(logLik(mml)), fixef = as.list(fixef(mml)), sigma = mml$sigma))
  cat(sprintf("%-22s logLik=%.6f sigma=%.5f (%.1fs)\n", name, logLik(m), m$sigma, secs))
}
chr <- function(d) { d <- as.data.frame(d); for (v in names(d)) if (is.factor(d[[v]])) d[[v]] <- as.character(d[[v]]); d }
orth <- chr(Orthodont)
add("orthodont_varident", distance ~ age * Sex, ~ age | Subject, orth, weights = varIdent(form = ~ 1 | Sex),
    lmer_formula = "distance ~ age * Sex + (age | Subject)", residual = "variance by Sex (varIdent)")
ov <- chr(Ovary); ov$s <- sin(2 * pi * ov$Time); ov$c <- cos(2 * pi * ov$Time)
add("ovary_ar1", follicles ~ s + c, ~ 1 | Mare, ov, correlation = corAR1(form = ~ 1 | Mare),
    lmer_formula = "follicles ~ s + c + (1 | Mare)", residual = "AR(1) within Mare, in row order")
bw <- chr(BodyWeight)
add("bodyweight_ar1_varident", weight ~ Time * Diet, ~ Time | Rat, bw,
    weights = varIdent(form = ~ 1 | Diet), correlation = corAR1(form = ~ 1 | Rat),
    lmer_formula = "weight ~ Time * Diet + (Time | Rat)", residual = "AR(1) within Rat in row order, variance by Diet")
write_json(cases, "../nlme_residual.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
