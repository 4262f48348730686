import os, sys, time, statistics
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "host.settings")
os.environ.setdefault("OPENEDX_CC_HOST_SQLITE", "/tmp/bench.sqlite3")
import django; django.setup()
from django.core.management import call_command
from django.utils import timezone
from bench import registry, ownership_sql
from openedx_cc.plugins.ownership.api import check_ownership
from openedx_cc.plugins.ownership.models import CoreCommitter
call_command("migrate", verbosity=0)
if not CoreCommitter.objects.exists():
    t=time.time(); print(registry.generate()); print("gen", time.time()-t)
qs = registry.sample_questions(200)
now = timezone.now()
mism = 0
for u, r, p in qs:
    a = check_ownership(u, r, path=p, at=now).allowed
    b = ownership_sql.allowed(u, r, p, now)
    mism += a != b
print("mismatches", mism, "allowed", sum(check_ownership(u,r,path=p,at=now).allowed for u,r,p in qs))
def timeit(f):
    out=[]
    for u,r,p in qs:
        t=time.perf_counter(); f(u,r,p); out.append(time.perf_counter()-t)
    return statistics.median(out)
for _ in range(2):
    a=timeit(lambda u,r,p: check_ownership(u,r,path=p,at=now))
    b=timeit(lambda u,r,p: ownership_sql.allowed(u,r,p,now))
    print(f"api {a*1e6:.0f}us sql {b*1e6:.0f}us ratio {a/b:.2f}")
