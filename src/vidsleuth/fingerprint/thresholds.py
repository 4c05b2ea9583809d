"""Every number that decides a fingerprint match, in one place, with where it comes from.

Meta's defaults (HMA, python-threatexchange and the vPDQ reference, facebook/ThreatExchange):
- PDQ distance <= 31 is a match between two frames (`PDQ_CONFIDENT_MATCH_THRESHOLD` in
  python-threatexchange; hashing.pdf reports it as the point with a very low false-positive rate).
- frames with PDQ quality < 50 are not compared (vPDQ `VPDQ_QUALITY_THRESHOLD`): flat frames match
  anything.
- vPDQ's video rule: at least 80 % of the banked video's unique frames matched by the query
  (`VPDQ_QUERY_MATCH_THRESHOLD_PERCENT` = 80 in HMA's vPDQ signal) and at least 0 % of the query's
  (`VPDQ_INDEX_MATCH_THRESHOLD_PERCENT` = 0, so a query with extra material still matches).

vidsleuth's own additions, measured on the generated robustness suite and the corpus (docs/bank.md):
- the segment rule: a clip that reuses only part of a banked video (a 14 s clip stitched from two
  videos) matches when at least SEGMENT_MIN_FRAMES query frames line up with the banked video at one
  time offset. Unrelated videos produce scattered, not aligned, frame matches.
- keyframes: a sampled frame becomes a keyframe when it is farther than KEYFRAME_DISTANCE from every
  keyframe kept so far and at least KEYFRAME_MIN_GAP_S after the last one.
"""

from __future__ import annotations

# Meta's defaults --------------------------------------------------------------------------------
PDQ_MATCH_DISTANCE = 31
PDQ_QUALITY_MIN = 50
VPDQ_ITEM_MATCH_PCT = 80.0  # share of the banked video's unique frames the query must match
VPDQ_QUERY_MATCH_PCT = 0.0  # share of the query's unique frames that must match the banked video

# Sampling -----------------------------------------------------------------------------------------
# Handheld footage changes by about 10 PDQ bits per frame at 30 fps (Meta's chair recordings), so two
# copies of one video sampled at different phases (a trim) only match when one side is sampled densely:
# banked items at 10 fps (every third frame at 30 fps), queries at 5 fps. Measured on the corpus, see
# docs/bank.md.
SAMPLE_FPS = 10.0  # frames hashed per second of a banked video
QUERY_FPS = 5.0  # frames hashed per second of a video being checked or searched
# Frames (and stills) go to PDQ at most this large: PDQ works on 64x64 luma, and a common size makes
# copies at different resolutions hash alike (mean 7-14 bits from a full-size hash on the corpus).
SAMPLE_MAX_SIDE = 384
# Banked frames within this distance of the previous kept frame are dropped (vPDQ's frame pruning):
# still shots shrink to a few hashes, moving ones keep nearly all.
PRUNE_DISTANCE = 6

# Segment rule -------------------------------------------------------------------------------------
SEGMENT_MIN_FRAMES = 3  # aligned query frames needed for a partial (sub-clip) match ...
SEGMENT_MIN_S = 1.0  # ... spanning at least this long (unless the query itself is shorter)
OFFSET_TOLERANCE_S = 0.25  # slack on the offsets a pair of frames allows (their intervals)
MAX_GAP_S = 2.5  # a segment ends where aligned frames are farther apart than this
MAX_SEGMENTS = 8  # per banked item

# Strength of a known-content match (shared scale in vidsleuth.core.evidence) -----------------------
STRENGTH_SAME_VIDEO = 0.95  # aligned segments cover >= SAME_VIDEO_COVERAGE of both videos
STRENGTH_LONG_SEGMENT = 0.9  # an aligned segment of >= LONG_SEGMENT_S and LONG_SEGMENT_FRAMES
STRENGTH_VPDQ = 0.8  # vPDQ's rule holds, or an aligned segment of >= MEDIUM_SEGMENT_S
STRENGTH_SHORT = 0.55  # a short aligned segment or a single matching photo frame
SAME_VIDEO_COVERAGE = 0.8
LONG_SEGMENT_S = 4.0
LONG_SEGMENT_FRAMES = 8
MEDIUM_SEGMENT_S = 2.0
IMAGE_STRONG_FRAMES = 3  # a photo matched by this many frames of a video is a strong match
IMAGE_CLOSE_DISTANCE = 12  # ... or by one frame this close

# Keyframes ----------------------------------------------------------------------------------------
KEYFRAME_DISTANCE = 64  # keep a frame farther than this from every kept keyframe (random hashes: 128)
KEYFRAME_MIN_GAP_S = 1.0
KEYFRAME_FPS = 2.0
MAX_REPORT_KEYFRAMES = 12  # keyframe thumbnails embedded in a report

# Photo origin: local features (ORB) of banked stills found inside video frames ----------------------
# Measured on the corpus (animated_photos/ against source_stills/, and the false-match sweep over real/
# and faces_real/) and on the generated suite (tests/test_photo_origin.py); numbers in docs/bank.md.
LOCAL_STILL_SIDE = 512  # a banked still is brought to this longer side before ORB (up or down)
LOCAL_STILL_KEYPOINTS = 500  # strongest ORB keypoints kept per banked still (20 KB with their points)
LOCAL_FRAME_SIDE = 768  # a searched frame is brought to this longer side (query frames are often small)
LOCAL_FRAME_KEYPOINTS = 1500
LOCAL_ORB_SCALE_FACTOR = 1.2  # ORB's pyramid: 8 levels of 1.2 span scale changes of about 3.6x
LOCAL_ORB_LEVELS = 8
LOCAL_ORB_EDGE = 15  # pixels left out at the border (OpenCV's default of 31 loses small panels)
LOCAL_ORB_FAST_THRESHOLD = 10  # lower than OpenCV's 20: paintings and faces have soft corners
LOCAL_RATIO = 0.8  # Lowe's ratio test on the two nearest frame descriptors
LOCAL_MIN_MATCHES_TO_VERIFY = 8
LOCAL_RANSAC_PX = 4.0  # reprojection error allowed, in pixels of the LOCAL_FRAME_SIDE frame
LOCAL_RANSAC_ITERATIONS = 2000
# The decision: one similarity transform must explain this many matches, this share of the matches that
# passed the ratio test, spread over this share of the still, at a plausible scale and size.
LOCAL_MIN_INLIERS = 20
LOCAL_MIN_INLIER_RATIO = 0.25
LOCAL_MIN_SPREAD = 0.04
LOCAL_MIN_SCALE = 0.1
LOCAL_MAX_SCALE = 8.0
LOCAL_MIN_BOX_AREA = 0.01  # the still must cover at least 1 % of the frame
LOCAL_STRONG_INLIERS = 60  # a match this strong on one frame, or verified on two frames, is "strong"
# Query cost: frames with features per video, and stills verified per frame after the vote.
LOCAL_MAX_FRAMES = 8
LOCAL_FRAME_INTERVAL_S = 1.0  # frames at least this far apart (the interval doubles when there are more)
LOCAL_VOTE_STILL_KEYPOINTS = 150  # the strongest descriptors of each still take part in the vote ...
LOCAL_VOTE_FRAME_KEYPOINTS = 500  # ... and the frame's strongest voters
LOCAL_VOTE_DISTANCE = 40  # a frame descriptor votes for the still owning its nearest descriptor within this
LOCAL_MIN_VOTES = 8
LOCAL_CANDIDATES = 8  # stills verified per frame, the most-voted first
