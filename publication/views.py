import re
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views import static
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from articles.models import Article
from publication.images import SafeImageFormField, image_checksum
from publication.models import Creator, Photo
from publication.pagination import KeysetPaginationMixin
from publication.uploads import refused_upload


class CreatorDetailView(KeysetPaginationMixin, ListView):
    template_name = "publication/creator_detail.html"
    context_object_name = "photos"
    paginate_by = 24
    keyset_field = "created_at"

    def get_queryset(self):
        self.creator = get_object_or_404(Creator, slug=self.kwargs["slug"])
        # Only photos readers have already seen: none from drafts, unused uploads
        # or expired licences.
        # The creator's few photos first, then one EXISTS probe each; joining to every
        # article that uses them and de-duplicating grows with the archive.
        live = Article.objects.live()
        body_uses = Article.body_photos.through.objects.filter(
            photo=OuterRef("pk"), article__in=live
        )
        return (
            Photo.objects.with_credit()
            .filter(Q(creator=self.creator) | Q(source=self.creator))
            .exclude(pk__in=Photo.objects.license_expired())
            .filter(Exists(live.filter(lead_photo=OuterRef("pk"))) | Exists(body_uses))
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


# Uploaded files are re-encoded images (publication.images); nothing else is served, and
# never as HTML, whatever a file's name or bytes say.
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
}
# Uploads and renditions are stored under random or content-hash names that never get new
# content, so browsers and CDNs may keep them for a year.
IMMUTABLE_NAME = re.compile(r"[0-9a-f]{16,}")


def media(request, path):
    """Serve an uploaded image from MEDIA_ROOT with safe headers (one-machine layout).

    FileResponse hands the open file to the WSGI server (sendfile under gunicorn). With
    S3 storage, MEDIA_URL points at the bucket and this view is not routed.
    """
    content_type = MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())
    if content_type is None:
        raise Http404("Not an image.")
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were tricked into rendering it as a document, it could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if IMMUTABLE_NAME.search(PurePosixPath(path).name):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "public, max-age=3600"
    return response
