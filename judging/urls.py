from .views.assignment import urlpatterns as assignment_urlpatterns
from .views.bids import urlpatterns as bids_urlpatterns
from .views.judges import urlpatterns as judges_urlpatterns
from .views.scoring import urlpatterns as scoring_urlpatterns

app_name = "judging"
urlpatterns = [*assignment_urlpatterns, *bids_urlpatterns, *judges_urlpatterns, *scoring_urlpatterns]
