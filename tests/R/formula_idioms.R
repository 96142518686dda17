# lme4 fits of the formula idioms of issue 18 (formulas as lme4 users write them), for nbs/06_formula.ipynb.
# Run from this folder:  Rscript formula_idioms.R   -> writes formula_idioms.json next to it.
# Data: the same CSV files the notebook reads (hlm_lit/data and ../shared/data/residual).
suppressPackageStartupMessages({library(lme4); library(jsonlite)})
cat(R.version.string, "| lme4", as.character(packageVersion("lme4")), "| Matrix", as.character(packageVersion("Matrix")),
    "| jsonlite", as.character(packageVersion("jsonlite")), "\n")
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e6), check.conv.singular = "ignore")
sleep <- read.csv("../../hlm_lit/data/sleepstudy.csv", colClasses = c(Subject = "character"))
sleep_off <- transform(sleep, off = 10*Days)       # a column for the offset= argument
orth <- read.csv("../../../shared/data/residual/orthodont_varident.csv", stringsAsFactors = TRUE)
math <- read.csv("../../hlm_lit/data/MathAchieve.csv", colClasses = c(School = "character"), stringsAsFactors = TRUE)
data <- list(sleepstudy = sleep, sleepstudy_off = sleep_off, orthodont = orth, mathachieve = math)
# lme4's `.` is every column but the response, the grouping factor included (as R's terms() expands it)
# new rows whose mean differs from the data's (Days 0..9, mean 4.5): scale() and poly() must use the training state
new_sleep <- data.frame(Days = c(2.5, 7, 11, 12, 0.5, 9), Subject = c("308", "309", "330", "335", "372", "308"))
cases <- list(
  list(name = "scale",       data = "sleepstudy", formula = "Reaction ~ scale(Days) + (scale(Days) | Subject)", newdata = TRUE),
  list(name = "poly",        data = "sleepstudy", formula = "Reaction ~ poly(Days, 2) + (1 | Subject)", newdata = TRUE),
  list(name = "factor",      data = "sleepstudy", formula = "Reaction ~ factor(Days) + (1 | Subject)"),
  list(name = "as.factor",   data = "sleepstudy", formula = "Reaction ~ as.factor(Days) + (1 | Subject)"),
  list(name = "log",         data = "sleepstudy", formula = "log(Reaction) ~ Days + (Days | Subject)"),
  list(name = "offset",      data = "sleepstudy", formula = "Reaction ~ Days + offset(10 * Days) + (Days | Subject)"),
  list(name = "offset_arg",  data = "sleepstudy_off", formula = "Reaction ~ Days + (Days | Subject)", offset = "off"),
  list(name = "dot",         data = "sleepstudy", formula = "Reaction ~ . + (1 | Subject)"),
  list(name = "I_power",     data = "orthodont",  formula = "distance ~ age + I(age^2) + Sex + (age | Subject)"),
  list(name = "sqrt",        data = "orthodont",  formula = "distance ~ sqrt(age) + Sex + (1 | Subject)"),
  list(name = "log_by",      data = "orthodont",  formula = "distance ~ log(age) * Sex + (1 | Subject)"),
  list(name = "center",      data = "orthodont",  formula = "distance ~ scale(age, scale = FALSE) + Sex + (1 | Subject)"),
  list(name = "exp_abs",     data = "orthodont",  formula = "distance ~ exp(age/10) + abs(age - 11) + (1 | Subject)"),
  list(name = "scale_mix",   data = "mathachieve", formula = "MathAch ~ Sex * Minority + scale(SES) + (1 | School)"),
  list(name = "C_sum",       data = "mathachieve", formula = "MathAch ~ C(Sex, contr.sum) + SES + (1 | School)"),
  list(name = "poly_math",   data = "mathachieve", formula = "MathAch ~ poly(SES, 2) + Minority + (1 | School)"),
  list(name = "contrasts",   data = "mathachieve", formula = "MathAch ~ Sex * Minority + SES + (1 | School)",
       contrasts = list(Sex = "contr.sum", Minority = "contr.sum"))
)
out <- lapply(cases, function(cs) {
  d <- data[[cs$data]]
  m <- if (!is.null(cs$offset)) lmer(as.formula(cs$formula), d, REML = TRUE, control = ctrl, offset = d[[cs$offset]])
       else lmer(as.formula(cs$formula), d, REML = TRUE, control = ctrl, contrasts = cs$contrasts)
  r <- list(name = cs$name, data = cs$data, formula = cs$formula, offset_arg = cs$offset, contrasts = cs$contrasts,
            REMLcrit = REMLcrit(m), sigma = sigma(m), theta = unname(getME(m, "theta")),
            fixef = as.list(fixef(m)), fitted = signif(unname(fitted(m)), 10))   # 10 digits: tested to 1e-4 of their SD
  if (isTRUE(cs$newdata)) {
    r$newdata <- new_sleep
    r$predict <- unname(predict(m, newdata = new_sleep))
    r$predict_fixed <- unname(predict(m, newdata = new_sleep, re.form = NA))
  }
  cat(sprintf("%-11s REML %.10f  sigma %.8f  %s\n    fixef: %s\n", cs$name, r$REMLcrit, r$sigma, cs$formula, paste(names(fixef(m)), collapse = ", ")))
  r
})
# the silent misreading of issue 18: age XOR 2 (what Python's ^ means) gives another model
orth$agexor2 <- bitwXor(as.integer(orth$age), 2L)
mx <- lmer(distance ~ age + agexor2 + Sex + (age | Subject), orth, REML = TRUE, control = ctrl)
xor <- list(name = "xor", formula = "distance ~ age + I(bitwXor(age, 2)) + Sex + (age | Subject)", REMLcrit = REMLcrit(mx))
cat(sprintf("xor         REML %.10f\n", xor$REMLcrit))
write_json(list(R = R.version.string, lme4 = as.character(packageVersion("lme4")), cases = out, xor = xor),
           "formula_idioms.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
