#!/usr/bin/env python3
"""Makes the ExemplarData test fixtures (run from this folder; deterministic).

    python3 make-fixtures.py /path/to/shared/data

Real rows are copied from the LM-BFF-layout data (see its PROVENANCE.md): SST-2, MRPC (with
its UTF-8 BOM), RTE, and trimmed k-shot SST-2 and sst-5 folders. MNLI, SNLI, QNLI, QQP, STS-B,
CoLA and WNLI are not in that data, so a few rows are written here in their GLUE layouts
(texts from GLUE; parse columns shortened). The csv/ and generic/ files are hand-made.
"""
import json
import os
import sys

DATA = sys.argv[1] if len(sys.argv) > 1 else '../../../../shared/data'


def lines(path, numbers):
    """The given 1-based lines of a file, as bytes, line breaks kept."""
    with open(os.path.join(DATA, path), 'rb') as f:
        all_lines = f.readlines()
    return b''.join(all_lines[n - 1] for n in numbers)


def copy(source, target, numbers):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, 'wb') as f:
        f.write(lines(source, numbers))


def tsv(path, rows, header=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        if header:
            f.write('\t'.join(header) + '\n')
        for row in rows:
            f.write('\t'.join(row) + '\n')


def text(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(content)


# Real rows.
copy('original/SST-2/train.tsv', 'glue/SST-2/train.tsv', range(1, 7))
copy('original/MRPC/dev.tsv', 'glue/MRPC/dev.tsv', range(1, 5))
copy('original/RTE/train.tsv', 'glue/RTE/train.tsv', range(1, 5))
for split in ['train', 'dev']:
    # Header, then the first two rows of each label group.
    copy(f'k-shot/SST-2/16-42/{split}.tsv', f'k-shot/SST-2/16-42/{split}.tsv', [1, 2, 3, 18, 19])
    copy(f'k-shot/sst-5/16-42/{split}.csv', f'k-shot/sst-5/16-42/{split}.csv', [1, 2, 17, 18, 33, 34, 49, 50, 65, 66])
copy('k-shot/SST-2/16-42/test.tsv', 'k-shot/SST-2/16-42/test.tsv', range(1, 5))
copy('k-shot/sst-5/16-42/test.csv', 'k-shot/sst-5/16-42/test.csv', range(1, 4))

# CoLA (GLUE in_domain_train.tsv): no header; source, label, original label, sentence.
tsv('glue/CoLA/train.tsv', [
    ['gj04', '1', '', "Our friends won't buy this analysis, let alone the next one we propose."],
    ['gj04', '1', '', "One more pseudo generalization and I'm giving up."],
    ['gj04', '0', '*', 'They drank the pub.'],
])
# MNLI: train has 12 columns, dev_matched 16 (label1..label5, gold_label).
mnli = ['index', 'promptID', 'pairID', 'genre', 'sentence1_binary_parse', 'sentence2_binary_parse',
        'sentence1_parse', 'sentence2_parse', 'sentence1', 'sentence2']
tsv('glue/MNLI/train.tsv', [
    ['0', '31193', '31193n', 'government', '( ( Conceptually ( cream skimming ) ) ... )',
     '( ( Product and geography ) ... )', '(ROOT (S ...))', '(ROOT (S ...))',
     'Conceptually cream skimming has two basic dimensions - product and geography.',
     'Product and geography are what make cream skimming work. ', 'neutral', 'neutral'],
    ['1', '101457', '101457e', 'telephone', '( you ( ( know ( during ... ) ) ) )', '( ( You ( lose ... ) ) )',
     '(ROOT (S ...))', '(ROOT (S ...))',
     'you know during the season and i guess at at your level uh you lose them to the next level if if they '
     'decide to recall the the parent team the Braves decide to call to recall a guy from triple A then a '
     'double A guy goes up to replace him and a single A guy goes up to replace him',
     'You lose the things to the following level if the people recall.', 'entailment', 'entailment'],
    ['2', '134793', '134793e', 'fiction', '( ( One ( of ... ) ) )', '( ( A ( member ... ) ) )',
     '(ROOT (S ...))', '(ROOT (S ...))',
     'One of our number will carry out your instructions minutely.',
     'A member of my team will execute your orders with immense precision.', 'entailment', 'entailment'],
], mnli + ['label1', 'gold_label'])
tsv('glue/MNLI/dev_matched.tsv', [
    ['0', '63735', '63735n', 'slate', '( ( The ( new rights ) ) ... )', '( ( Everyone ... ) )',
     '(ROOT (S ...))', '(ROOT (S ...))', 'The new rights are nice enough',
     'Everyone really likes the newest benefits ', 'neutral', 'entailment', 'neutral', 'neutral', 'neutral', 'neutral'],
    ['1', '91383', '91383c', 'government', '( ( This site ) ... )', '( ( The ( Government ... ) ) )',
     '(ROOT (S ...))', '(ROOT (S ...))',
     'This site includes a list of all award winners and a searchable database of Government Executive articles.',
     'The Government Executive articles housed on the website are not able to be searched.',
     'contradiction', 'contradiction', 'contradiction', 'contradiction', 'contradiction', 'contradiction'],
], mnli + ['label1', 'label2', 'label3', 'label4', 'label5', 'gold_label'])
# SNLI (GLUE layout): train has 11 columns.
tsv('glue/SNLI/train.tsv', [
    ['0', '3416050480.jpg#4', '3416050480.jpg#4r1n', '( ( ( A person ) ... ) )', '( ( A person ) ... )',
     '(ROOT (S ...))', '(ROOT (S ...))', 'A person on a horse jumps over a broken down airplane.',
     'A person is training his horse for a competition.', 'neutral', 'neutral'],
    ['1', '3416050480.jpg#4', '3416050480.jpg#4r1c', '( ( ( A person ) ... ) )', '( ( A person ) ... )',
     '(ROOT (S ...))', '(ROOT (S ...))', 'A person on a horse jumps over a broken down airplane.',
     'A person is at a diner, ordering an omelette.', 'contradiction', 'contradiction'],
], ['index', 'captionID', 'pairID', 'sentence1_binary_parse', 'sentence2_binary_parse', 'sentence1_parse',
    'sentence2_parse', 'sentence1', 'sentence2', 'label1', 'gold_label'])
tsv('glue/QNLI/dev.tsv', [
    ['0', 'What came into force after the new constitution was herald?',
     'As of that day, the new constitution heralding the Second Republic came into force.', 'entailment'],
    ['1', 'What is the first major city in the stream of the Rhine?',
     'The most important tributaries in this area are the Ill below of Strasbourg, the Neckar in Mannheim and '
     'the Main across from Mainz.', 'not_entailment'],
], ['index', 'question', 'sentence', 'label'])
tsv('glue/QQP/dev.tsv', [
    ['201359', '303345', '303346', 'Why are African-Americans so beautiful?', 'Why are hispanics so beautiful?', '0'],
    ['263843', '69383', '380476',
     'I want to pursue PhD in Computer Science about social network,what is the open problem in social networks?',
     'I handle social media for a non-profit. Should I start going to social media networking events? '
     'Are there any good ones in the bay area?', '0'],
    ['172974', '266948', '175089', 'Is there a reason why we should travel alone?',
     'What are some reasons to travel alone?', '1'],
], ['id', 'qid1', 'qid2', 'question1', 'question2', 'is_duplicate'])
tsv('glue/STS-B/train.tsv', [
    ['0', 'main-captions', 'MSRvid', '2012test', '0001', 'none', 'none', 'A plane is taking off.',
     'An air plane is taking off.', '5.000'],
    ['1', 'main-captions', 'MSRvid', '2012test', '0004', 'none', 'none', 'A man is playing a large flute.',
     'A man is playing a flute.', '3.800'],
    ['2', 'main-captions', 'MSRvid', '2012test', '0005', 'none', 'none',
     'A man is spreading shreded cheese on a pizza.', 'A man is spreading shredded cheese on an uncooked pizza.', '3.800'],
], ['index', 'genre', 'filename', 'year', 'old_index', 'source1', 'source2', 'sentence1', 'sentence2', 'score'])
tsv('glue/WNLI/train.tsv', [
    ['0', 'I stuck a pin through a carrot. When I pulled the pin out, it had a hole.', 'The carrot had a hole.', '1'],
    ['1', "John couldn't see the stage with Billy in front of him because he is so short.", 'John is so short.', '1'],
    ['2', 'The police arrested all of the gang members. They were trying to stop the drug trade in the neighborhood.',
     'The police were trying to stop the drug trade in the neighborhood.', '1'],
    ['3', "Steve follows Fred's example in everything. He influences him hugely.", 'Steve influences him hugely.', '0'],
], ['index', 'sentence1', 'sentence2', 'label'])
# An MNLI k-shot folder: train, dev_matched, test_matched (no mismatched files).
for name, source in [('train', 'train'), ('dev_matched', 'train'), ('test_matched', 'dev_matched')]:
    with open(f'glue/MNLI/{source}.tsv', 'rb') as f:
        content = f.read()
    os.makedirs('k-shot/MNLI/16-42', exist_ok=True)
    with open(f'k-shot/MNLI/16-42/{name}.tsv', 'wb') as f:
        f.write(content)

# LM-BFF CSV layout (sst-5): quoted commas, a doubled quote, a newline inside quotes, an empty cell.
text('csv/sst-5.csv',
     '4,"a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films"\n'
     '1,apparently reassembled from the cutting-room floor of any given daytime soap .\n'
     '0,"i know the saying is "" you get what you pay for "" but this is no excuse ."\n'
     '2,"a sentence that runs\nover two lines , as a quoted field may"\n'
     '3,\n'
     '3,the entire movie is filled with deja vu moments .\n')

# Generic layouts.
text('generic/reviews.jsonl', '\n'.join([
    json.dumps({"text": "a gripping thriller .", "label": "positive", "id": 1}),
    '',
    json.dumps({"text": "a dull mess .", "label": "negative", "meta": {"source": "test"}}),
    json.dumps({"text": "warm and funny .", "label": 1}),
    json.dumps({"text": "a score", "label": 3.8}),
]) + '\n')
text('generic/pairs.jsonl', '\n'.join([
    json.dumps({"premise": "A man plays a flute.", "hypothesis": "A man plays music.", "gold": "entailment"}),
    json.dumps({"premise": "A cat sleeps.", "hypothesis": "A dog barks.", "gold": "not_entailment"}),
]) + '\n')
text('generic/pairs.csv',
     'id,premise,hypothesis,gold\n'
     '7,"A man, a plan.",A canal.,entailment\n'
     '8,"She said ""no"".","She agreed\nlater.",not_entailment\n'
     '9,The sky is blue.,It is day.,entailment\n')
text('generic/reviews.tsv',
     'label\tsentence\tsource\n'
     '1\ta gripping thriller , with commas .\timdb\n'
     '0\ta dull mess .\timdb\n')
