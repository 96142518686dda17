# Likelihood-ratio test of chapter 12's multilevel example (Machines): lme4's anova(m0, m1) with ML refits.
# Run from the repository root with ../shared beside it: Rscript tests/R/ch12_machines_anova.R
cat(R.version.string, 'lme4', as.character(packageVersion('lme4')), '\n')
suppressMessages(library(lme4))
d <- read.csv('../shared/data/multilevel/machines_interaction.csv', colClasses=c(Worker='character'))
m0 <- lmer(score ~ Machine + (1 | Worker), d)
m1 <- lmer(score ~ Machine + (1 | Worker) + (1 | Worker:Machine), d)
a <- anova(m0, m1)
print(a, digits=12)
cat(sprintf("%.10f %.10f %.10f %.12g\n", a$deviance[1], a$deviance[2], a$Chisq[2], a$`Pr(>Chisq)`[2]))
