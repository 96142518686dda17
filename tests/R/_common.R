# Shared helpers for the scripts in tests/R/ (sourced by each; run every script from the repository root).
suppressMessages({library(lme4); library(jsonlite)})

# R and package versions, printed by every script and stored in its output
versions <- function(pkgs = c("lme4", "Matrix", "minqa", "jsonlite")) {
  v <- paste0(R.version.string, "; ", paste(sprintf("%s %s", pkgs, sapply(pkgs, function(p) as.character(packageVersion(p)))),
                                            collapse = ", "))
  cat(v, "\n"); v
}

# The data shipped with hlm_lit (the article's 900 rows as R wrote them, sleepstudy, MathAchieve)
data_dir <- "hlm_lit/data"
article <- function() read.csv(file.path(data_dir, "article_simple_df.csv"))
sleep <- function() { d <- read.csv(file.path(data_dir, "sleepstudy.csv")); d$Subject <- factor(d$Subject); d }

# lme4 run to full precision: bobyqa with rhoend = 1e-12 from lme4's start, from the default fit's theta and from
# two perturbations of it; the fit with the lowest criterion is returned (its criterion in attr "crits" per start).
tight_control <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5),
                             check.conv.grad = "ignore", check.conv.singular = "ignore", check.conv.hess = "ignore")
crit_of <- function(m) if (isREML(m)) REMLcrit(m) else deviance(m)
fit_tight <- function(formula, data, REML = TRUE) {
  m0 <- suppressWarnings(suppressMessages(lmer(formula, data, REML = REML)))
  th <- getME(m0, "theta"); lower <- getME(m0, "lower")
  starts <- list(lme4_start = NULL, default_fit = th, scaled_0.8 = pmax(0.8*th, lower), scaled_1.2 = 1.2*th)
  fits <- lapply(starts, function(s) suppressWarnings(suppressMessages(
    lmer(formula, data, REML = REML, control = tight_control, start = s))))
  crits <- sapply(fits, crit_of)
  best <- fits[[which.min(crits)]]
  attr(best, "crits") <- crits; attr(best, "default_fit") <- m0
  best
}

write_out <- function(x, name) {
  dir.create("tests/R/out", showWarnings = FALSE)
  write_json(x, file.path("tests/R/out", name), digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null")
  cat("written tests/R/out/", name, "\n", sep = "")
}
