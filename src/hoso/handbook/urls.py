app_name = "handbook"
urlpatterns: list = []
