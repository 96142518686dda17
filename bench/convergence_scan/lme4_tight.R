# The reference side of the convergence scan (issue 12): every case of cases.json fitted with lme4
#  (a) as a user would, lmer() with its defaults: criterion, theta, warnings/messages, convergence code, evaluations, seconds;
#  (b) run to full precision: bobyqa (minqa) with rhoend = 1e-12, maxfun = 1e5 on lme4's own deviance function from six
#      starts (lme4's start, the default fit's theta, 0.3 x lme4's start, the default theta with its off-diagonal signs
#      flipped, two random starts), then once more from the best point with a small rhobeg; the best criterion is kept.
# Before fitting, R regenerates each data set itself (the R functions gen() and collinear() of tests/R/scan_data.R, which chapter 16
# prints) and records the largest difference from the CSV that make_data.py wrote (0 when both agree bit for bit).
#
# Run from the repository root, after `python bench/convergence_scan/make_data.py`:
#   nice -n 19 Rscript bench/convergence_scan/lme4_tight.R [data folder] [output json]
# Writes bench/results/convergence_scan_lme4.json. Takes a few minutes on one core.
suppressMessages({library(lme4); library(minqa); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "bench/convergence_scan/data"
out_file <- if (length(args) >= 2) args[2] else "bench/results/convergence_scan_lme4.json"
versions <- sprintf("%s; lme4 %s, Matrix %s, minqa %s, jsonlite %s", R.version.string, packageVersion("lme4"),
                    packageVersion("Matrix"), packageVersion("minqa"), packageVersion("jsonlite"))
cat(versions, "\n")

source("tests/R/scan_data.R")                                # gen(), collinear(), sizes10: chapter 16's generators

default_fit <- function(f, d) {
  warns <- character(0); msgs <- character(0)
  t0 <- proc.time()[["elapsed"]]
  m <- tryCatch(withCallingHandlers(lmer(f, d, REML = TRUE),
                  warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") },
                  message = function(m) { msgs <<- c(msgs, trimws(conditionMessage(m))); invokeRestart("muffleMessage") }),
                error = function(e) e)
  secs <- proc.time()[["elapsed"]] - t0
  if (inherits(m, "error")) return(list(error = conditionMessage(m), warnings = as.list(warns), seconds = secs))
  conv <- m@optinfo$conv
  lme4_msgs <- unlist(conv$lme4$messages)
  list(crit = REMLcrit(m), theta = unname(getME(m, "theta")), opt_code = conv$opt,
       converged = conv$opt == 0 && !any(grepl("converge", c(warns, lme4_msgs))),
       singular = isSingular(m), warnings = as.list(warns), messages = as.list(msgs),
       nfev = m@optinfo$feval, seconds = secs)
}

tight_fit <- function(f, d, theta_default, case_no) {
  devfun <- lmer(f, d, REML = TRUE, devFunOnly = TRUE)
  lower <- environment(devfun)$lower
  th0 <- environment(devfun)$pp$theta                       # lme4's start: 1 on the diagonal of Lambda, 0 off it
  safe <- function(th) { v <- tryCatch(devfun(th), error = function(e) NA_real_); if (is.finite(v)) v else 1e100 }
  offdiag <- !is.finite(lower)
  set.seed(1000 + case_no)
  rand <- function() { th <- abs(rnorm(length(th0))) + 0.05; th[offdiag] <- rnorm(sum(offdiag)); th }
  flip <- theta_default; flip[offdiag] <- -flip[offdiag]
  starts <- list(lme4_start = th0, default_fit = theta_default, scaled_0.3 = 0.3*th0, flipped = flip,
                 random1 = rand(), random2 = rand())
  starts <- starts[!vapply(starts, function(s) is.null(s) || any(!is.finite(s)), TRUE)]
  run <- function(s, rhobeg = 0.2) {
    s <- pmax(s, lower)
    r <- tryCatch(bobyqa(s, safe, lower = lower, control = list(rhobeg = rhobeg, rhoend = 1e-12, maxfun = 1e5)),
                  error = function(e) NULL)
    if (is.null(r)) list(crit = NA_real_, theta = s, nfev = NA) else list(crit = r$fval, theta = r$par, nfev = r$feval)
  }
  runs <- lapply(starts, run)
  crits <- vapply(runs, function(r) r$crit, 0)
  best <- runs[[which.min(crits)]]
  polish <- run(best$theta, rhobeg = 1e-4)
  final <- if (!is.na(polish$crit) && polish$crit < best$crit) polish else best
  list(crit = final$crit, theta = final$theta, best_start = names(starts)[which.min(crits)],
       crit_by_start = as.list(crits), polish_gain = best$crit - polish$crit,
       nfev = sum(vapply(runs, function(r) as.numeric(r$nfev), 0), na.rm = TRUE) + polish$nfev)
}

cases <- fromJSON(file.path(dir, "cases.json"), simplifyDataFrame = FALSE)
results <- vector("list", length(cases)); t_all <- proc.time()[["elapsed"]]
for (i in seq_along(cases)) {
  cs <- cases[[i]]
  d <- read.csv(file.path(dir, cs$file))
  again <- if (cs$kind == "gen") gen(cs$seed, 10, sizes10, cs$sd_int, cs$sd_slope, cs$rho) else collinear(cs$seed)
  data_diff <- max(abs(as.matrix(again) - as.matrix(d[names(again)])))
  f <- as.formula(cs$formula)
  def <- default_fit(f, d)
  tig <- tight_fit(f, d, def$theta, i)
  results[[i]] <- c(cs[c("id", "file", "formula", "kind", "seed", "model")], list(config = cs$config),
                    list(data_max_abs_diff_from_R = data_diff, default = def, tight = tig))
  if (i %% 50 == 0) cat(i, "of", length(cases), "done,", round(proc.time()[["elapsed"]] - t_all), "s\n")
}
out <- list(provenance = paste0(versions, ". Written by bench/convergence_scan/lme4_tight.R; tight = minqa::bobyqa ",
                                "(rhoend 1e-12, maxfun 1e5) on lme4's REML deviance function from six starts plus a polish, best kept"),
            seconds = proc.time()[["elapsed"]] - t_all, cases = results)
dir.create(dirname(out_file), showWarnings = FALSE, recursive = TRUE)
write_json(out, out_file, digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null")
cat("written", out_file, "\n")
