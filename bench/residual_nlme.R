# nlme's fit of the residual benchmark's growth model (bench/residual_bench.py calls this; prints one JSON line).
# Usage: Rscript residual_nlme.R data.csv
suppressMessages(library(nlme))
args <- commandArgs(TRUE)
d <- read.csv(args[1]); d$unit <- factor(d$unit); d$group <- factor(d$group)
t0 <- proc.time()[["elapsed"]]
m <- lme(y ~ time * group, random = ~ time | unit, data = d, weights = varIdent(form = ~ 1 | group),
         correlation = corAR1(form = ~ 1 | unit), method = "REML", control = lmeControl(returnObject = TRUE))
secs <- proc.time()[["elapsed"]] - t0
vf <- coef(m$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)
cat(sprintf('{"seconds": %.3f, "logLik": %.10f, "sigma": %.10f, "phi": %.10f, "ratios": {%s}, "version": "%s, nlme %s"}\n',
    secs, as.numeric(logLik(m)), m$sigma, coef(m$modelStruct$corStruct, unconstrained = FALSE),
    paste(sprintf('"%s": %.10f', names(vf), vf), collapse = ", "), R.version.string, packageVersion("nlme")))
