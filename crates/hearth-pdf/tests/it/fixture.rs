//! Invented, maximal content (no real people). Shared with `benches/render.rs`.

use chrono::NaiveDate;
use hearth_pdf::{Block, Checkbox, Column, Document, HeadingLevel, KeyValue, Table};

pub fn printed_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).expect("valid date")
}

const FIRST: [&str; 12] = [
    "Zoë",
    "Siobhán",
    "Łukasz",
    "Aoife",
    "Dmitrij",
    "Renée",
    "Oluwaseun",
    "Małgorzata",
    "Jürgen",
    "Niamh",
    "Søren",
    "Ayşe",
];
const LAST: [&str; 6] = [
    "Kowalczyk",
    "Ó Súilleabháin",
    "Nguyễn",
    "Adébáyọ̀",
    "Brennan-Walsh",
    "Þórsdóttir",
];
const RELATIONSHIPS: [&str; 6] = [
    "Mother",
    "Father",
    "Sister",
    "Maternal grandmother",
    "Step-brother",
    "Family friend who collects the children from school on Tuesdays",
];

/// Deterministic invented free text of exactly `chars` characters, with explicit
/// paragraph breaks every so often.
pub fn free_text(seed: usize, chars: usize) -> String {
    const SENTENCES: [&str; 8] = [
        "The family were seen at home and the children were settled and chatty.",
        "Mum said mornings are the hardest part of the week because of the school run.",
        "Zoë talked about her friends at school and about wanting to join the football club.",
        "Siobhán has started the parenting course and says the sessions are helping.",
        "Łukasz finds it hard to sleep and the health visitor has offered a home visit.",
        "Rent arrears have been reduced since the housing officer set up a payment plan.",
        "The school reports attendance at ninety-one per cent this half term, up from eighty.",
        "Everyone agreed that the next review should be held at the children's centre.",
    ];
    let mut out = String::with_capacity(chars + 100);
    let mut i = seed;
    while out.chars().count() < chars {
        out.push_str(SENTENCES[i % SENTENCES.len()]);
        out.push_str(&format!(" (note {i})"));
        i += 1;
        out.push_str(if i.is_multiple_of(9) { "\n\n" } else { " " });
    }
    out.chars().take(chars).collect()
}

pub fn maximal_document() -> Document {
    let mut blocks = vec![
        Block::heading(HeadingLevel::H1, "1. Consent and practitioner"),
        Block::Checkboxes(vec![
            Checkbox::new(
                "The family agree to share this plan with those working with the family",
                true,
            ),
            Checkbox::new(
                "The family do not agree to share with: the family's previous landlord",
                false,
            ),
            Checkbox::new(free_text(3, 400), true),
        ]),
        Block::KeyValues(vec![
            KeyValue::new("Practitioner", "Siobhán Ní Bhriain-Łukaszewicz"),
            KeyValue::new(
                "Agency",
                "Health visiting team, Northfield Children's Centre",
            ),
            KeyValue::new(
                "What's prompting this plan",
                "Practitioner's judgement\nFamily request",
            ),
            KeyValue::new("Phone", "02392123456 ext. 4471"),
            KeyValue::new(
                "Email",
                concat!(
                    "siobhan.ni.bhriain-lukaszewicz.early-help-practitioner",
                    "@northfield-childrens-centre.example.gov.uk"
                ),
            ),
            KeyValue::new("Notes", free_text(11, 1500)),
        ]),
        Block::heading(HeadingLevel::H1, "2. Focus child and main parent"),
        Block::KeyValues(vec![
            KeyValue::new("Focus child", "Zoë Kowalczyk-Ó Súilleabháin"),
            KeyValue::new("Date of birth", "03/04/2017"),
            KeyValue::new("Main parent", "Łukasz Kowalczyk"),
            KeyValue::new(
                "Address",
                "Flat 4, Ærø Court\n12 Długa Street\nPortsmouth\nPO1 2AB",
            ),
        ]),
        Block::heading(HeadingLevel::H1, "3. Family members and important people"),
    ];
    let mut members = Vec::new();
    for i in 0..50 {
        members.push(vec![
            format!(
                "{} {} {}",
                FIRST[i % FIRST.len()],
                LAST[i % LAST.len()],
                i + 1
            ),
            RELATIONSHIPS[i % RELATIONSHIPS.len()].to_owned(),
            format!("{:02}/{:02}/{}", 1 + i % 28, 1 + i % 12, 1950 + i),
            format!("07700 900{:03}", i),
            if i % 3 == 0 { "Yes" } else { "No" }.to_owned(),
        ]);
    }
    blocks.push(Block::Table(Table {
        columns: vec![
            Column::new("Name", 4),
            Column::new("Relationship", 4),
            Column::new("Date of birth", 2),
            Column::new("Contact", 3),
            Column::new("Part of the plan", 2),
        ],
        rows: members,
    }));

    blocks.push(Block::heading(HeadingLevel::H1, "4. Family's story"));
    blocks.push(Block::heading(HeadingLevel::H2, "Key events now"));
    blocks.push(Block::paragraph(free_text(0, 10_000)));
    blocks.push(Block::heading(HeadingLevel::H2, "Past events"));
    blocks.push(Block::paragraph(format!(
        "A reference with no spaces at all: {}\nThen the rest of the story.\n\n{}",
        "https://records.example.gov.uk/".to_owned() + &"a1b2c3d4e5".repeat(30),
        free_text(5, 10_000)
    )));

    blocks.push(Block::heading(HeadingLevel::H1, "5. Aspects of life"));
    let aspects = [
        "Health",
        "Education and learning",
        "Housing",
        "Money and work",
        "Relationships",
        "Safety",
        "Emotional wellbeing",
    ];
    blocks.push(Block::Table(Table {
        columns: vec![
            Column::new("Aspect", 2),
            Column::new("Score", 1),
            Column::new("Note", 5),
        ],
        rows: aspects
            .iter()
            .enumerate()
            .map(|(i, a)| {
                vec![
                    (*a).to_owned(),
                    if i == 3 {
                        "N/A".to_owned()
                    } else {
                        format!("{}/10", 3 + i)
                    },
                    free_text(i, 200 + i * 60),
                ]
            })
            .collect(),
    }));

    blocks.push(Block::heading(HeadingLevel::H1, "6. Family plan"));
    let mut plan = Vec::new();
    for i in 0..40 {
        let what = if i == 17 {
            free_text(i, 6_000)
        } else {
            free_text(i, 120 + (i * 37) % 500)
        };
        plan.push(vec![
            format!("{}", i + 1),
            format!("Need {}: {}", i + 1, free_text(i + 2, 60 + (i * 13) % 140)),
            what,
            format!(
                "{} {}",
                FIRST[(i + 3) % FIRST.len()],
                LAST[(i + 1) % LAST.len()]
            ),
            format!("{:02}/{:02}/2027", 1 + i % 28, 1 + i % 12),
        ]);
    }
    blocks.push(Block::Table(Table {
        columns: vec![
            Column::new("No.", 1),
            Column::new("What needs to change", 5),
            Column::new("What will be done", 7),
            Column::new("Who", 3),
            Column::new("By when", 2),
        ],
        rows: plan,
    }));

    blocks.push(Block::heading(HeadingLevel::H1, "7. Practitioner summary"));
    blocks.push(Block::heading(HeadingLevel::H3, "Opening summary"));
    blocks.push(Block::paragraph(free_text(7, 2_000)));
    blocks.push(Block::Spacer { lines: 1 });
    blocks.push(Block::PageBreak);

    blocks.push(Block::heading(
        HeadingLevel::H1,
        "8. Consent statement and signatures",
    ));
    blocks.push(Block::paragraph(
        "I agree that the information in this plan can be shared with the people and \
         services named in it, so that they can support my family. I understand I can \
         change my mind at any time by telling my lead practitioner.",
    ));
    blocks.push(Block::Checkboxes(vec![
        Checkbox::new("Parent or carer agrees", true),
        Checkbox::new("Young person agrees (where appropriate)", false),
    ]));
    blocks.push(Block::SignatureLines(vec![
        "Family member: Łukasz Kowalczyk".to_owned(),
        "Practitioner: Siobhán Ní Bhriain-Łukaszewicz".to_owned(),
        "Date".to_owned(),
    ]));

    Document {
        title: "Family Support Plan".to_owned(),
        reference: "FSP-2026-004217".to_owned(),
        family_name: "Kowalczyk-Ó Súilleabháin".to_owned(),
        printed_on: printed_on(),
        blocks,
    }
}
