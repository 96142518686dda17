"Pytest configuration: deterministic hypothesis settings for CI"
import warnings

from hypothesis import HealthCheck, settings

# derandomize: the same examples on every run (CI is deterministic); no example database written into the tree;
# no deadline (a fit's time depends on the machine, not on correctness)
settings.register_profile('hlm_lit', derandomize=True, deadline=None, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile('hlm_lit')


def pytest_configure(config):
    "Singular fits are expected among random small data sets; their warning is not what these tests are about"
    config.addinivalue_line('filterwarnings', 'ignore::hlm_lit.fit.SingularFitWarning')
