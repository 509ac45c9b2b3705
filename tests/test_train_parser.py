"""scripts/train_parser.py --stand-ins: the treebank copy that teaches the parser ingestion's stand-in words."""
from aikg.ingest.relations import STAND_INS

from scripts_module import load_script

# a sentence written for this test, in CoNLL-U: "New York Times sued Open Lab in Paris ."
SENTENCE = """# text = New York Times sued Open Lab in Paris.
1\tNew\tNew\tPROPN\tNNP\t_\t3\tcompound\t_\t_
2\tYork\tYork\tPROPN\tNNP\t_\t3\tcompound\t_\t_
3\tTimes\tTimes\tPROPN\tNNP\t_\t4\tnsubj\t_\t_
4\tsued\tsue\tVERB\tVBD\t_\t0\troot\t_\t_
5\tOpen\tOpen\tPROPN\tNNP\t_\t6\tcompound\t_\t_
6\tLab\tLab\tPROPN\tNNP\t_\t4\tobj\t_\t_
7\tin\tin\tADP\tIN\t_\t8\tcase\t_\t_
8\tParis\tParis\tPROPN\tNNP\t_\t4\tobl\t_\tSpaceAfter=No
9\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_
"""


def _script():
    return load_script("train_parser")


def test_each_name_becomes_one_stand_in_and_the_tree_is_kept():
    out = _script().with_stand_ins(SENTENCE, seed=1)
    original, copy = out.strip().split("\n\n")
    assert original.strip() == SENTENCE.strip()
    rows = [line.split("\t") for line in copy.splitlines() if not line.startswith("#")]
    words = {w for _, ws in STAND_INS for w in ws}
    assert [r[1] in words for r in rows] == [True, False, True, False, True, False]
    assert [(r[0], r[6], r[7]) for r in rows] == [("1", "2", "nsubj"), ("2", "0", "root"), ("3", "2", "obj"),
                                                  ("4", "5", "case"), ("5", "2", "obl"), ("6", "2", "punct")]
    assert rows[4][9] == "SpaceAfter=No"  # "Paris." stays glued to its full stop


def test_a_sentence_without_names_is_not_copied():
    plain = SENTENCE.replace("PROPN", "NOUN")
    assert _script().with_stand_ins(plain).strip() == plain.strip()
