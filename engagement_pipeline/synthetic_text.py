"""Invented text for the synthetic data generator (``synthetic.py``), kept as plain data.

Everything here is written for this project: names, localities, survey comments, the interview
codebook and the interview excerpts. None of it comes from the original study or from real people.
A few comments and quotes deliberately carry an e-mail address, a phone number, an NHS number or a
Twitter handle so that the pipeline's privacy scrubbing has something to remove; all of them are
fictitious (``nhs.example`` domain, Ofcom drama-range phone number).
"""

from __future__ import annotations

# --- respondents ---------------------------------------------------------------------------------
# 24 first names and 25 surnames: the lengths are coprime, so the id -> name mapping in
# synthetic.py gives 600 distinct name pairs before it repeats.
FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Ben", "Chloe", "Daniel", "Eleanor", "Farid", "Grace", "Harry",
    "Imogen", "Jamal", "Kate", "Liam", "Maya", "Nathan", "Olivia", "Priya",
    "Rhys", "Sophie", "Tomasz", "Una", "Vikram", "Wendy", "Yusuf", "Zoe",
)
LAST_NAMES: tuple[str, ...] = (
    "Adeyemi", "Bennett", "Chowdhury", "Doyle", "Evans", "Fletcher", "Gallagher", "Hughes",
    "Iqbal", "Jennings", "Kowalski", "Lloyd", "Mensah", "Nolan", "O'Brien", "Patel",
    "Quinn", "Robertson", "Singh", "Thompson", "Underwood", "Vaughan", "Walsh", "Young",
    "Zielinski",
)
EMAIL_DOMAIN = "nhs.example"

# Invented localities of one community trust, and the staff groups of its middle managers,
# each with the share of respondents it gets.
LOCALITIES: dict[str, float] = {
    "North Locality": 0.24,
    "South Locality": 0.22,
    "East Locality": 0.20,
    "West Locality": 0.18,
    "Central Locality": 0.16,
}
STAFF_GROUPS: dict[str, float] = {
    "Nursing": 0.30,
    "Allied Health Professionals": 0.25,
    "Corporate Services": 0.15,
    "Mental Health": 0.15,
    "Children's Services": 0.15,
}

# --- free-text survey comments -------------------------------------------------------------------
# Comments that contain something the privacy scrubber must remove. Every wave with enough
# comments gets each of these once.
SENSITIVE_COMMENTS: tuple[str, ...] = (
    "Happy to talk any of this through - email me at gemma.fraser@nhs.example "
    "or ring 07700 900123.",
    "A patient (NHS number 943 476 5919) told me she found our clinic times online, "
    "which was lovely to hear.",
    "Our team posts as @SouthAHPs_example if anyone wants to see what we share.",
)
# Comments anyone might write.
GENERAL_COMMENTS: tuple[str, ...] = (
    "More face-to-face time with senior managers would help more than anything else.",
    "Good to be asked. Please share the results with us.",
    "Team briefings are useful but they often clash with clinics.",
    "The intranet is hard to search, so I usually ask a colleague instead.",
    "The email bulletin is too long; I rarely read past the first section.",
    "Parking at the main site makes it hard to get to meetings in person.",
    "We need more notice of changes that affect our locality.",
    "The newsletter is nice but it arrives after everyone already knows the news.",
)
# Comments only a Twitter user would write.
USER_COMMENTS: tuple[str, ...] = (
    "Twitter makes me feel part of the wider trust, not just my own team.",
    "I would like clearer guidance on what we can post about our services.",
    "I mostly read rather than post, but I pick up a lot from other trusts.",
    "An executive replying to one of my posts changed how I feel about the top team.",
)
# Comments only a non-user would write.
NON_USER_COMMENTS: tuple[str, ...] = (
    "I would try Twitter if there was training and some protected time for it.",
    "I can't see how Twitter would help with my day job.",
    "I am not keen on mixing work and my personal life online.",
    "Happy to give it a go if someone showed me how it works.",
)

# --- interview codebook --------------------------------------------------------------------------
# theme, label, description, golden_thread ("" = none). Codes are snake_case identifiers.
CODEBOOK: tuple[tuple[str, str, str, str], ...] = (
    (
        "human_centred_design",
        "Human-centred design programmes",
        "Joining, or getting funding for, human-centred design programmes found or "
        "built through contacts made on Twitter.",
        "patient_experience",
    ),
    (
        "service_user_links",
        "Direct links with service users",
        "Talking directly with patients, carers and service users on Twitter and changing "
        "a service because of what they said.",
        "patient_experience",
    ),
    (
        "model_adoption",
        "Adopting another service's model",
        "Taking up part of another community service's model of care after seeing it "
        "on Twitter.",
        "patient_care",
    ),
    (
        "integrated_working",
        "Integrated working with mental health",
        "An integrated-working programme with the neighbouring mental health trust that "
        "began when an executive shared a manager's story on Twitter.",
        "patient_care",
    ),
    (
        "equality_diversity",
        "Equality and diversity",
        "Changes to services or to the workforce that improve equality, diversity or "
        "inclusion, prompted by something seen or shared on Twitter.",
        "equality_diversity",
    ),
    (
        "faster_change",
        "Things happen faster",
        "Decisions, answers and changes arriving sooner than through formal channels.",
        "",
    ),
    (
        "permission_unclear",
        "Unsure whether tweeting at work is allowed",
        "Staff do not know whether using Twitter in working hours is permitted, and hold "
        "back or tweet only in their own time.",
        "",
    ),
    (
        "leading_by_example",
        "Explicit permission and leading by example",
        "Leaders need to say plainly that tweeting about the work is part of the job, "
        "and to do it themselves.",
        "",
    ),
    (
        "executive_authenticity",
        "Safe tweeting versus authenticity",
        "Executives are seen to tweet safely; managers want to see their values, their "
        "views and what makes them tick.",
        "",
    ),
    (
        "dispersed_connection",
        "Connecting across a dispersed trust",
        "Knowing colleagues and executives in other localities and feeling part of the "
        "whole organisation despite the distances.",
        "",
    ),
)

# --- interview excerpts --------------------------------------------------------------------------
# theme -> quotes as (text, second theme the same segment is also coded with, or None).
QUOTES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "human_centred_design": (
        ("Someone I follow posted about a design-thinking course for clinical teams. I applied "
         "that evening and two of my band sixes started it a month later.", None),
        ("A charity spotted our posts about redesigning the leg ulcer clinic and asked us to bid. "
         "That money paid for the whole co-design project.", None),
        ("The human-centred design network I found online gave us a way to map what a home visit "
         "feels like from the patient's side of the door.", "service_user_links"),
        ("I'd never have heard of the programme otherwise. We wrote the funding bid with a team "
         "from another trust that I only know through Twitter.", "dispersed_connection"),
    ),
    "service_user_links": (
        ("A carer replied to say the leaflet we'd posted made no sense to her, so we rewrote it "
         "together over a cup of tea.", None),
        ("Parents tell us in the replies which appointment times actually work for them. We moved "
         "the Saturday clinic because of it.", None),
        ("I follow a few patient advocates now, and their threads have changed how I brief my "
         "team before home visits.", None),
        ("One of our service users, @StrideAheadSam, now tests our appointment letters before "
         "they go out.", None),
    ),
    "model_adoption": (
        ("I saw a district nursing team elsewhere posting about self-rostering, rang their lead "
         "the next morning, and we've copied the bits that fit us.", "faster_change"),
        ("Our single referral form came more or less straight from a community service I follow. "
         "It has halved the back-and-forth at triage.", None),
        ("It was only a photo of a whiteboard in another trust's hub, but it gave us the huddle "
         "we now run every morning.", None),
    ),
    "integrated_working": (
        ("I tweeted about a patient who kept bouncing between us and the crisis team. Our chief "
         "executive shared it and within weeks both trusts had a working group.", "faster_change"),
        ("The joint caseload meetings with the mental health trust next door all go back to one "
         "retweet from our director of nursing.", None),
        ("Their community team and ours had barely spoken. Once the story went round, their "
         "service manager got in touch and we now share a weekly clinic.", None),
    ),
    "equality_diversity": (
        ("Seeing staff networks at other trusts gave me the nerve to start an ethnic minority "
         "staff network in our locality.", None),
        ("A deaf patient tweeted that she could only book by phone. We had text and email "
         "booking in place within the month.", "service_user_links"),
        ("I found guidance another trust had shared on supporting nurses recruited from overseas, "
         "and we rebuilt our induction around it.", None),
        ("We rewrote our job adverts after a thread on inclusive language, and we've had far "
         "more applicants from groups we used to miss.", None),
    ),
    "faster_change": (
        ("Things that used to take three meetings and a month of emails get sorted in an "
         "afternoon, because I can just tag the right person.", None),
        ("I can get an answer from an executive within hours. A paper would wait for the next "
         "board cycle.", None),
        ("My team hears the news before the bulletin lands, so we're already talking about a "
         "change instead of catching up with it.", None),
    ),
    "permission_unclear": (
        ("Half my team honestly don't know whether they're allowed to tweet on shift, so they "
         "only do it at night from home.", None),
        ("Nobody has ever told me it's fine to use Twitter at work. I feel a bit guilty whenever "
         "I check it at my desk.", None),
        ("The social media policy lists what not to post but never says whether posting is part "
         "of the job.", "leading_by_example"),
        ("One of my sisters got a comment about being on her phone when she was sharing our "
         "falls campaign.", None),
    ),
    "leading_by_example": (
        ("If the chief executive said out loud that tweeting about our work counts as work, "
         "people would stop worrying.", "permission_unclear"),
        ("I only started because my director did. Watching her do it made it feel allowed.", None),
        ("Leaders have to show it, not just put it in a strategy. When my own manager went quiet "
         "online, so did my team.", None),
        ("Managers like me have to go first. I post from our team account so my staff can see "
         "it's normal.", None),
    ),
    "executive_authenticity": (
        ("Most of our executives' tweets read like press releases: safe, polished and easy to "
         "scroll past.", None),
        ("I want to know what they care about and why, not which ribbon they cut this week.",
         None),
        ("The one time a director wrote honestly about a hard night she'd shadowed, it got more "
         "replies than anything else that month.", None),
        ("Show me your values and what makes you tick. That would make me trust the top team "
         "far more than another announcement.", None),
    ),
    "dispersed_connection": (
        ("I'm forty miles from headquarters, and Twitter is the only place I see what the other "
         "localities are up to.", None),
        ("I know the executives by their first names now. Before, the only contact was the "
         "annual roadshow.", None),
        ("Our physios in the south and the ones in the north found each other online and now "
         "run joint training.", None),
        ("A manager from another locality emailed me at sam.whitfield@nhs.example after seeing "
         "my post, and now we cover each other's clinics in the school holidays.", None),
    ),
}
