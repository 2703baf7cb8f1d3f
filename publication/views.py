from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from articles.models import Article
from publication.images import SafeImageFormField, image_checksum
from publication.models import Creator, Photo
from publication.uploads import refused_upload


class CreatorDetailView(ListView):
    template_name = "publication/creator_detail.html"
    context_object_name = "photos"
    paginate_by = 24

    def get_queryset(self):
        self.creator = get_object_or_404(Creator, slug=self.kwargs["slug"])
        # Only photos readers have already seen: none from drafts, unused uploads
        # or expired licences.
        live = Article.objects.live()
        return (
            Photo.objects.with_credit()
            .filter(Q(creator=self.creator) | Q(source=self.creator))
            .filter(Q(lead_articles__in=live) | Q(body_articles__in=live))
            .exclude(pk__in=Photo.objects.license_expired())
            .distinct()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(creator=self.creator, **kwargs)


@require_POST
def editor_image_upload(request):
    """CKEditor 5 image upload: every image becomes a Photo editors can credit later.

    CSRF is enforced by the middleware; the editor sends the token as a header.
    """
    if not request.user.has_perm("publication.add_photo"):
        return JsonResponse({"error": {"message": "You may not upload images."}}, status=403)
    if refused := refused_upload(request):
        return JsonResponse({"error": {"message": refused.message}}, status=413)
    field = SafeImageFormField()
    try:
        image = field.clean(request.FILES.get("upload"))
    except ValidationError as error:
        status = 413 if error.code == "too_large" else 400
        return JsonResponse({"error": {"message": " ".join(error.messages)}}, status=status)
    photo = Photo.objects.filter(checksum=image_checksum(image)).first()
    if photo is None:
        try:
            with transaction.atomic():
                photo = Photo.objects.create(image=image, alt_text="")
        except IntegrityError:  # the same image, uploaded at the same moment
            photo = Photo.objects.get(checksum=image_checksum(image))
    return JsonResponse({"url": photo.image.url, "photo_id": photo.pk})
