"""Post URLs (a social-media post, a video page) through the optional downloader, yt-dlp.

yt-dlp is only asked *which* media file a page points to (`extract_info(download=False)`); the file
itself is then fetched by `urlfetch.fetch_to_file`, with the same address checks, size cap and
timeouts as a direct link. The page host is checked before yt-dlp is called. yt-dlp's own requests to
read the page (and any redirects it follows) are outside those checks: run the server behind an egress
proxy or firewall when that matters (docs/web.md, "Security model").

yt-dlp is imported lazily; without it a post URL fails with a message naming the extra to install.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vidsleuth.web.urlfetch import FetchError, Resolver, check_url, system_resolver

DOWNLOAD_EXTRA = "vidsleuth[download]"
# Progressive http(s) files with a picture first; HLS/DASH manifests are not fetched by urlfetch.
FORMAT = "best[protocol^=http][vcodec!=none]/bestvideo[protocol^=http]"


@dataclass(frozen=True, slots=True)
class MediaLink:
    url: str
    title: str
    ext: str
    headers: Mapping[str, str]


def downloader_available() -> bool:
    try:
        importlib.import_module("yt_dlp")
    except ImportError:
        return False
    return True


def resolve_post(
    url: str,
    *,
    timeout: float = 60.0,
    exempt: Sequence[str] = (),
    resolver: Resolver = system_resolver,
) -> MediaLink:
    """The media file a post URL points to. Raises FetchError (naming the extra when it is missing)."""
    check_url(url, resolver=resolver, exempt=exempt)
    try:
        yt_dlp: Any = importlib.import_module("yt_dlp")
    except ImportError:
        raise FetchError(
            "this URL is a web page, not a video file; to analyse videos from post URLs install the "
            f"optional downloader: pip install '{DOWNLOAD_EXTRA}' (or paste a direct link to the video)"
        ) from None
    options = {
        "quiet": True,
        "no_warnings": True,
        "noplaylist": True,
        "skip_download": True,
        "socket_timeout": timeout,
        "format": FORMAT,
        "cachedir": False,
        "proxy": "",
    }
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=False)
    except Exception as exc:  # yt-dlp raises its own DownloadError and others; report them in one line
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FetchError(f"the downloader could not read this post: {text[:300]}") from None
    if not isinstance(info, Mapping):
        raise FetchError("the downloader found no video in this post")
    chosen: Mapping[str, Any] = info
    if not info.get("url"):
        parts = [f for f in info.get("requested_formats") or () if isinstance(f, Mapping) and f.get("url")]
        video = [f for f in parts if f.get("vcodec") not in (None, "none")]
        if not (video or parts):
            raise FetchError("the downloader found no downloadable video file in this post")
        chosen = (video or parts)[0]
    media_url = str(chosen["url"])
    if not media_url.lower().startswith(("http://", "https://")):
        raise FetchError("the post's video is only offered as a stream, which is not fetched")
    raw_headers = chosen.get("http_headers") or info.get("http_headers") or {}
    headers = {str(k): str(v) for k, v in raw_headers.items() if str(k).lower() not in ("host", "cookie")}
    return MediaLink(
        url=media_url,
        title=str(info.get("title") or "post video"),
        ext=str(chosen.get("ext") or info.get("ext") or "mp4"),
        headers=headers,
    )
