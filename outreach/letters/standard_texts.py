# ruff: noqa: E501 (letter texts: one paragraph a line, as the editor shows them)
"""The standard texts a manager may start a template from: every kind of letter in Danish, the
notice and the offer also in English and Arabic.

They use the placeholders of rendering.PLACEHOLDERS only (tests/outreach/test_letter_templates.py
validates each). Words in [square brackets] are for the manager to fill in before the template
is used (the meeting's time and place); the editor says so.
"""

from dataclasses import dataclass

from cases.deadlines import LetterKind


@dataclass(frozen=True)
class StandardText:
    subject: str
    body: str


_SIGNATURE_DA = """Med venlig hilsen

{{ sagsbehandler_navn }}
{{ organisation }}
Telefon: {{ sagsbehandler_telefon }}
E-mail: {{ sagsbehandler_email }}"""

_SIGNATURE_EN = """Kind regards

{{ sagsbehandler_navn }}
{{ organisation }}
Phone: {{ sagsbehandler_telefon }}
E-mail: {{ sagsbehandler_email }}"""

_SIGNATURE_AR = """مع أطيب التحيات

{{ sagsbehandler_navn }}
{{ organisation }}
الهاتف: {{ sagsbehandler_telefon }}
البريد الإلكتروني: {{ sagsbehandler_email }}"""

_NOTICE_DA = StandardText(
    subject="Varsling af renovering af {{ afdeling }}",
    body=f"""Kære {{{{ beboere }}}}

Vi skriver til dig, fordi din bolig på {{{{ adresse }}}}, {{{{ postnummer_by }}}} skal renoveres som en del af projektet {{{{ projekt }}}}.

Hvad sker der?
Arbejdet i din opgang betyder, at du ikke kan bo i din bolig, mens der bliver arbejdet. Du får derfor tilbudt en midlertidig bolig (genhusning), så længe arbejdet står på. Vi sørger for flytningen og betaler for den.

De vigtigste datoer for din opgang
Nedpakning: {{{{ dato_nedpakning }}}}
Fraflytning: {{{{ dato_fraflytning }}}}
Tilbageflytning: {{{{ dato_tilbageflytning }}}}

Datoerne kan blive ændret. Hvis det sker, skriver vi til dig igen i god tid.

Hvad skal du gøre nu?
Du skal ikke gøre noget lige nu. En medarbejder fra genhusningen vil kontakte dig for at tale om dine ønsker og behov til den midlertidige bolig, fx antal værelser, elevator eller husdyr. Har du brug for en tolk, så sig det til os, så sørger vi for det.

Har du spørgsmål, er du altid velkommen til at kontakte mig.

{_SIGNATURE_DA}""",
)

_NOTICE_EN = StandardText(
    subject="Notice of the renovation of {{ afdeling }}",
    body=f"""Dear {{{{ beboere }}}}

We are writing to you because your home at {{{{ adresse }}}}, {{{{ postnummer_by }}}} is going to be renovated as part of the project {{{{ projekt }}}}.

What will happen?
Because of the work in your stairwell, you cannot live in your home while the work is being done. You will therefore be offered a temporary home (rehousing) for as long as the work lasts. We arrange the move and pay for it.

The most important dates for your stairwell
Packing: {{{{ dato_nedpakning }}}}
Moving out: {{{{ dato_fraflytning }}}}
Moving back: {{{{ dato_tilbageflytning }}}}

The dates may change. If they do, we will write to you again in good time.

What do you need to do now?
You do not need to do anything right now. A member of the rehousing team will contact you to talk about your wishes and needs for the temporary home, for example the number of rooms, a lift or pets. If you need an interpreter, please tell us and we will arrange one.

If you have any questions, you are always welcome to contact me.

This letter is a translation. The Danish letter is the one that applies.

{_SIGNATURE_EN}""",
)

_NOTICE_AR = StandardText(
    subject="إشعار بتجديد {{ afdeling }}",
    body=f"""عزيزي/عزيزتي {{{{ beboere }}}}

نكتب إليك لأن مسكنك في {{{{ adresse }}}}، {{{{ postnummer_by }}}} سيتم تجديده كجزء من مشروع {{{{ projekt }}}}.

ماذا سيحدث؟
بسبب الأعمال في مدخل البناية الذي تسكن فيه، لن تتمكن من السكن في مسكنك أثناء تنفيذ الأعمال. لذلك سنعرض عليك مسكنًا مؤقتًا طوال مدة الأعمال. نحن نتولى تنظيم الانتقال وندفع تكاليفه.

أهم التواريخ الخاصة بمدخل البناية
توضيب الأغراض: {{{{ dato_nedpakning }}}}
الانتقال من المسكن: {{{{ dato_fraflytning }}}}
العودة إلى المسكن: {{{{ dato_tilbageflytning }}}}

قد تتغير هذه التواريخ. وإذا تغيرت، فسنكتب إليك مرة أخرى في وقت مبكر.

ماذا عليك أن تفعل الآن؟
لا يلزمك فعل أي شيء الآن. سيتصل بك أحد موظفي فريق إعادة الإسكان للتحدث عن رغباتك واحتياجاتك في المسكن المؤقت، مثل عدد الغرف أو وجود مصعد أو الحيوانات الأليفة. إذا كنت بحاجة إلى مترجم، فأخبرنا بذلك وسنوفره لك.

إذا كانت لديك أي أسئلة، فنحن نرحب دائمًا بتواصلك معي.

هذه الرسالة ترجمة. الرسالة الدنماركية هي النص المعتمد.

{_SIGNATURE_AR}""",
)

_TERMINATION_DA = StandardText(
    subject="Opsigelse af dit lejemål på {{ adresse }}",
    body=f"""Kære {{{{ beboere }}}}

Vi opsiger hermed dit lejemål på {{{{ adresse }}}}, {{{{ postnummer_by }}}} (lejemålsnummer {{{{ lejemaalsnummer }}}}). Lejemålet ophører den {{{{ dato_fraflytning }}}}.

Begrundelse for opsigelsen
Opsigelsen sker, fordi boligen skal nedrives eller ombygges som en del af projektet {{{{ projekt }}}}. Arbejdet gør, at boligen ikke kan bebos, og at den ikke findes i samme form bagefter. [Beskriv her kort og konkret, hvad der skal ske med boligen.]

Du får tilbudt en anden bolig
Vi har pligt til at tilbyde dig en anden passende bolig, og vi betaler for din flytning. En medarbejder fra genhusningen kontakter dig for at tale om, hvilken bolig der passer til dig og din husstand. Du skal ikke flytte, før du har fået en anden passende bolig.

Din ret til at gøre indsigelse
Hvis du ikke er enig i opsigelsen, kan du gøre indsigelse. Indsigelsen skal være skriftlig og skal være modtaget hos os senest 6 uger efter, at du har modtaget dette brev. Hvis du gør indsigelse, og vi fastholder opsigelsen, skal vi indbringe sagen for boligretten. Du kan få gratis råd hos en lejerrådgivning eller din afdelingsbestyrelse.

Har du spørgsmål til brevet, eller har du brug for en tolk, så kontakt mig endelig.

{_SIGNATURE_DA}""",
)

_OFFER_DA = StandardText(
    subject="Tilbud om bolig: {{ tilbud_adresse }}",
    body=f"""Kære {{{{ beboere }}}}

Vi kan nu tilbyde dig en bolig, mens din nuværende bolig på {{{{ adresse }}}} bliver renoveret.

Boligen vi tilbyder
Adresse: {{{{ tilbud_adresse }}}}, {{{{ tilbud_postnummer_by }}}}
Størrelse: {{{{ tilbud_vaerelser }}}} værelser, {{{{ tilbud_areal }}}} m²
Husleje pr. måned: {{{{ tilbud_husleje }}}}
Du kan flytte ind fra: {{{{ tilbud_fra }}}}
Du bor i boligen til: {{{{ tilbud_til }}}}

Vi betaler for flytningen, og vi hjælper dig med at pakke, hvis du har brug for det. Du er velkommen til at se boligen, før du svarer. Ring eller skriv til mig, så aftaler vi en tid.

Dit svar
Vi beder dig svare senest den {{{{ svarfrist }}}}. Du kan svare ved at ringe, skrive en e-mail eller sende svarsedlen nedenfor. Hvis vi ikke har hørt fra dig inden da, kontakter vi dig.

Hvis du siger nej til boligen, vil vi gerne høre hvorfor, så vi kan finde en bolig, der passer bedre.

{_SIGNATURE_DA}


Svarseddel
Jeg/vi siger ja tak til boligen på {{{{ tilbud_adresse }}}}:  ☐
Jeg/vi siger nej tak til boligen på {{{{ tilbud_adresse }}}}:  ☐
Begrundelse: _______________________________________________

Dato: ______________  Underskrift: ___________________________""",
)

_OFFER_EN = StandardText(
    subject="Offer of a home: {{ tilbud_adresse }}",
    body=f"""Dear {{{{ beboere }}}}

We can now offer you a home while your present home at {{{{ adresse }}}} is being renovated.

The home we offer
Address: {{{{ tilbud_adresse }}}}, {{{{ tilbud_postnummer_by }}}}
Size: {{{{ tilbud_vaerelser }}}} rooms, {{{{ tilbud_areal }}}} m²
Rent per month: {{{{ tilbud_husleje }}}}
You can move in from: {{{{ tilbud_fra }}}}
You live in the home until: {{{{ tilbud_til }}}}

We pay for the move, and we will help you pack if you need it. You are welcome to see the home before you answer. Call or write to me, and we will find a time.

Your answer
Please answer no later than {{{{ svarfrist }}}}. You can answer by phone, by e-mail or by sending the reply form below. If we have not heard from you by then, we will contact you.

If you say no to the home, we would like to know why, so that we can find a home that suits you better.

This letter is a translation. The Danish letter is the one that applies.

{_SIGNATURE_EN}


Reply form
I/we accept the home at {{{{ tilbud_adresse }}}}:  ☐
I/we decline the home at {{{{ tilbud_adresse }}}}:  ☐
Reason: _______________________________________________

Date: ______________  Signature: ___________________________""",
)

_OFFER_AR = StandardText(
    subject="عرض مسكن: {{ tilbud_adresse }}",
    body=f"""عزيزي/عزيزتي {{{{ beboere }}}}

يسعدنا أن نعرض عليك مسكنًا خلال فترة تجديد مسكنك الحالي في {{{{ adresse }}}}.

المسكن الذي نعرضه عليك
العنوان: {{{{ tilbud_adresse }}}}، {{{{ tilbud_postnummer_by }}}}
المساحة: {{{{ tilbud_vaerelser }}}} غرف، {{{{ tilbud_areal }}}} متر مربع
الإيجار الشهري: {{{{ tilbud_husleje }}}}
يمكنك الانتقال إليه ابتداءً من: {{{{ tilbud_fra }}}}
تسكن فيه حتى: {{{{ tilbud_til }}}}

نحن ندفع تكاليف الانتقال، وسنساعدك في توضيب أغراضك إذا احتجت إلى ذلك. يمكنك مشاهدة المسكن قبل أن ترد علينا. اتصل بي أو اكتب إليّ لنتفق على موعد.

ردك
نرجو أن ترد علينا في موعد أقصاه {{{{ svarfrist }}}}. يمكنك الرد عبر الهاتف أو البريد الإلكتروني أو بإرسال قسيمة الرد أدناه. إذا لم نسمع منك حتى ذلك الموعد، فسنتصل بك.

إذا رفضت المسكن، فنود أن نعرف السبب، حتى نتمكن من إيجاد مسكن يناسبك بشكل أفضل.

هذه الرسالة ترجمة. الرسالة الدنماركية هي النص المعتمد.

{_SIGNATURE_AR}


قسيمة الرد
أقبل/نقبل المسكن في {{{{ tilbud_adresse }}}}:  ☐
أرفض/نرفض المسكن في {{{{ tilbud_adresse }}}}:  ☐
السبب: _______________________________________________

التاريخ: ______________  التوقيع: ___________________________""",
)

_AGREEMENT_DA = StandardText(
    subject="Genhusningsaftale for {{ adresse }}",
    body="""Genhusningsaftale

Mellem {{ organisation }} (udlejer)
og {{ beboere }} (lejer), {{ adresse }}, {{ postnummer_by }}, lejemålsnummer {{ lejemaalsnummer }},

er der indgået følgende aftale om genhusning i forbindelse med projektet {{ projekt }}.

1. Genhusningsboligen
Lejer genhuses i boligen {{ tilbud_adresse }}, {{ tilbud_postnummer_by }} ({{ tilbud_vaerelser }} værelser, {{ tilbud_areal }} m²) fra den {{ tilbud_fra }} til den {{ tilbud_til }}.

2. Husleje
Lejer betaler i genhusningsperioden en husleje på {{ tilbud_husleje }} pr. måned.

3. Flytning
Udlejer betaler og sørger for flytningen til genhusningsboligen og, ved midlertidig genhusning, flytningen tilbage. Fraflytning af den nuværende bolig sker den {{ dato_fraflytning }}.

4. Tilbageflytning
Ved midlertidig genhusning flytter lejer tilbage til sin bolig den {{ dato_tilbageflytning }}. Ændres datoen, giver udlejer skriftlig besked i god tid.

5. Kontakt
Spørgsmål om aftalen rettes til {{ sagsbehandler_navn }}, telefon {{ sagsbehandler_telefon }}, e-mail {{ sagsbehandler_email }}.

Aftalen er udarbejdet i to eksemplarer, et til hver part. Lejer har haft mulighed for at få aftalen forklaret, om nødvendigt med tolk, før underskrift.


Dato: ______________

For lejer:

_______________________________________
{{ beboere }}


For udlejer:

_______________________________________
{{ sagsbehandler_navn }}, {{ organisation }}""",
)

_MEETING_DA = StandardText(
    subject="Invitation til informationsmøde om {{ projekt }}",
    body=f"""Kære {{{{ beboere }}}}

Vi inviterer dig til informationsmøde om renoveringen af {{{{ afdeling }}}}.

Tid: [dato og klokkeslæt]
Sted: [mødested]

På mødet fortæller vi om, hvad der skal ske i din opgang, hvornår det sker, og hvordan genhusningen foregår. Du kan stille alle de spørgsmål, du har. Der er kaffe og te.

Har du brug for en tolk til mødet, så giv mig besked senest en uge før, så sørger vi for det. Kan du ikke komme, er du velkommen til at kontakte mig, så finder vi en anden måde at give dig informationen på.

Vi håber at se dig.

{_SIGNATURE_DA}""",
)

_REMINDER_DA = StandardText(
    subject="Påmindelse: vi mangler dit svar",
    body=f"""Kære {{{{ beboere }}}}

Vi har skrevet til dig om din genhusning i forbindelse med {{{{ projekt }}}}, men vi har endnu ikke hørt fra dig.

Vi vil gerne sikre, at du får den hjælp og den bolig, der passer til dig. Derfor beder vi dig kontakte mig senest den {{{{ svarfrist }}}}, så vi kan tale sammen om din situation.

Er der noget, der gør det svært for dig at svare, fx sproget eller brevene, så ring til mig. Vi kan også komme forbi, eller tale med dig med en tolk.

{_SIGNATURE_DA}""",
)

_WELCOME_HOME_DA = StandardText(
    subject="Velkommen hjem til {{ adresse }}",
    body=f"""Kære {{{{ beboere }}}}

Nu er renoveringen af din bolig færdig, og vi vil gerne byde dig velkommen hjem til {{{{ adresse }}}}.

Din tilbageflytning er den {{{{ dato_tilbageflytning }}}}. Vi sørger for flytningen, ligesom da du flyttede ud.

Når du er flyttet ind, vil vi gerne høre, hvordan det går. Opdager du fejl eller mangler i boligen, så kontakt mig eller ejendomskontoret, så bliver det udbedret.

Tak for din tålmodighed i den tid, arbejdet har stået på.

{_SIGNATURE_DA}""",
)

_FOLLOW_UP_DA = StandardText(
    subject="Vi vil gerne høre, hvordan det går",
    body=f"""Kære {{{{ beboere }}}}

Det er nu et stykke tid siden, du flyttede. Vi vil gerne høre, hvordan du har det i boligen på {{{{ adresse }}}}, og om der er noget, vi kan hjælpe med.

Vi vil derfor gerne besøge dig. Ring eller skriv til mig, så finder vi en tid, der passer dig. Hvis du hellere vil tale i telefon, er det også helt i orden.

{_SIGNATURE_DA}""",
)

STANDARD_TEXTS: dict[str, dict[str, StandardText]] = {
    LetterKind.NOTICE: {"da": _NOTICE_DA, "en": _NOTICE_EN, "ar": _NOTICE_AR},
    LetterKind.TERMINATION: {"da": _TERMINATION_DA},
    LetterKind.OFFER: {"da": _OFFER_DA, "en": _OFFER_EN, "ar": _OFFER_AR},
    LetterKind.AGREEMENT: {"da": _AGREEMENT_DA},
    LetterKind.MEETING: {"da": _MEETING_DA},
    LetterKind.REMINDER: {"da": _REMINDER_DA},
    LetterKind.WELCOME_HOME: {"da": _WELCOME_HOME_DA},
    LetterKind.FOLLOW_UP: {"da": _FOLLOW_UP_DA},
}


def standard_text(kind: str, language: str) -> StandardText | None:
    return STANDARD_TEXTS.get(kind, {}).get(language)
