"""Parsing official annotation files (written here in the official formats)
into (path, label) lists; malformed input names the file and line."""
import json

import pytest

from vmae_mm.datasets.annotations import (AnnotationError,
                                          load_kinetics_classes,
                                          load_ssv2_classes,
                                          load_ucf101_classes, parse_hmdb51,
                                          parse_kinetics, parse_ssv2,
                                          parse_ucf101)

SSV2_LABELS = {
    'Approaching something with your camera': '0',
    'Putting something on something': '2',
    'Pushing something from left to right': '1',
}


def write_json(path, obj):
    path.write_text(json.dumps(obj))
    return str(path)


def ssv2_entry(video_id, template):
    return {'id': str(video_id), 'label': template.replace('[', ''),
            'template': template, 'placeholders': ['a cup', 'a table']}


def test_ssv2_labels_by_template_without_brackets(tmp_path):
    classes = load_ssv2_classes(write_json(tmp_path / 'labels.json',
                                           SSV2_LABELS))
    assert classes == ['Approaching something with your camera',
                       'Pushing something from left to right',
                       'Putting something on something']
    ann = write_json(tmp_path / 'train.json', [
        ssv2_entry(78687, 'Putting [something] on [something]'),
        ssv2_entry(42, 'Pushing [something] from left to right'),
    ])
    assert parse_ssv2(ann, classes) == [('78687.webm', 2), ('42.webm', 1)]
    assert parse_ssv2(ann, classes, video_ext='mp4')[0] == ('78687.mp4', 2)


def test_ssv2_errors_name_the_entry(tmp_path):
    classes = list(SSV2_LABELS)
    ann = write_json(tmp_path / 'val.json', [
        ssv2_entry(1, 'Putting [something] on [something]'),
        ssv2_entry(2, 'Juggling [something]')])
    with pytest.raises(AnnotationError, match=r"entry 1 \(id 2\).*Juggling"):
        parse_ssv2(ann, classes)
    test_split = write_json(tmp_path / 'test.json', [{'id': '5'}])
    with pytest.raises(AnnotationError, match='no "template"'):
        parse_ssv2(test_split, classes)
    (tmp_path / 'broken.json').write_text('[{"id": "1",\n  "template": ]')
    with pytest.raises(AnnotationError, match=r'broken.json:2:\d+: invalid'):
        parse_ssv2(str(tmp_path / 'broken.json'), classes)
    bad_ids = write_json(tmp_path / 'labels.json', {'a': '0', 'b': '2'})
    with pytest.raises(AnnotationError, match=r'missing \[1\]'):
        load_ssv2_classes(bad_ids)


K400_HEADER = 'label,youtube_id,time_start,time_end,split,is_cc'


def write_k400(path, rows):
    path.write_text('\n'.join([K400_HEADER] + rows) + '\n')
    return str(path)


def test_kinetics_sorted_classes_flat_and_class_folders(tmp_path):
    train = write_k400(tmp_path / 'train.csv', [
        'zumba,abc_123-XYZ,14,24,train,0',
        '"passing American football (in game)",q1w2e3r4t5y,0,10,train,0',
        'abseiling,0aaaaaaaaaa,120,130,train,1',
    ])
    classes = load_kinetics_classes(train)
    assert classes == ['abseiling', 'passing American football (in game)',
                       'zumba']
    assert parse_kinetics(train, classes) == [
        ('abc_123-XYZ_000014_000024.mp4', 2),
        ('q1w2e3r4t5y_000000_000010.mp4', 1),
        ('0aaaaaaaaaa_000120_000130.mp4', 0)]
    nested = parse_kinetics(train, classes, class_dirs=True)
    assert nested[1] == (
        'passing_American_football_(in_game)/q1w2e3r4t5y_000000_000010.mp4',
        1)
    kept = parse_kinetics(train, classes, class_dirs=True,
                          keep_whitespace=True)
    assert kept[1][0].startswith('passing American football (in game)/')


def test_kinetics_errors_name_the_line(tmp_path):
    classes = ['abseiling']
    val = write_k400(tmp_path / 'val.csv', ['abseiling,x,1,11,val,0',
                                            'surfing,y,1,11,val,0'])
    with pytest.raises(AnnotationError, match="val.csv:3: class 'surfing'"):
        parse_kinetics(val, classes)
    short = write_k400(tmp_path / 'short.csv', ['abseiling,x,1'])
    with pytest.raises(AnnotationError, match='short.csv:2: 3 fields'):
        parse_kinetics(short, classes)
    times = write_k400(tmp_path / 'times.csv', ['abseiling,x,a,b,val,0'])
    with pytest.raises(AnnotationError, match='times.csv:2: time_start'):
        parse_kinetics(times, classes)
    (tmp_path / 'nohead.csv').write_text('abseiling,x,1,11,val\n')
    with pytest.raises(AnnotationError, match='nohead.csv:1: header'):
        parse_kinetics(str(tmp_path / 'nohead.csv'), classes)


def test_ucf101_lists_with_zero_based_labels(tmp_path):
    (tmp_path / 'classInd.txt').write_text(
        '1 ApplyEyeMakeup\r\n2 ApplyLipstick\r\n3 Archery\r\n')
    classes = load_ucf101_classes(str(tmp_path / 'classInd.txt'))
    assert classes == ['ApplyEyeMakeup', 'ApplyLipstick', 'Archery']
    (tmp_path / 'trainlist01.txt').write_text(
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1\r\n'
        'Archery/v_Archery_g08_c02.avi 3\r\n')
    (tmp_path / 'testlist01.txt').write_text(
        'ApplyLipstick/v_ApplyLipstick_g01_c01.avi\r\n')
    assert parse_ucf101(str(tmp_path / 'trainlist01.txt'), classes) == [
        ('ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi', 0),
        ('Archery/v_Archery_g08_c02.avi', 2)]
    assert parse_ucf101(str(tmp_path / 'testlist01.txt'), classes) == [
        ('ApplyLipstick/v_ApplyLipstick_g01_c01.avi', 1)]
    (tmp_path / 'bad.txt').write_text('Archery/v_Archery_g08_c02.avi 1\n')
    with pytest.raises(AnnotationError, match='bad.txt:1: label'):
        parse_ucf101(str(tmp_path / 'bad.txt'), classes)


def test_hmdb51_marks_split_train_and_test(tmp_path):
    for name, lines in (('brush_hair', ['a.avi 1 ', 'b.avi 2 ', 'c.avi 0 ']),
                        ('cartwheel', ['d.avi 2 ', 'e.avi 1 '])):
        for split in (1, 2):
            (tmp_path / f'{name}_test_split{split}.txt').write_text(
                '\n'.join(lines) + '\n')
    train, test, classes = parse_hmdb51(str(tmp_path), 2)
    assert classes == ['brush_hair', 'cartwheel']
    assert train == [('brush_hair/a.avi', 0), ('cartwheel/e.avi', 1)]
    assert test == [('brush_hair/b.avi', 0), ('cartwheel/d.avi', 1)]
    (tmp_path / 'chew_test_split1.txt').write_text('f.avi 1\ng.avi 3\n')
    with pytest.raises(AnnotationError, match='chew_test_split1.txt:2'):
        parse_hmdb51(str(tmp_path), 1)
    with pytest.raises(AnnotationError, match='no \\*_test_split3'):
        parse_hmdb51(str(tmp_path), 3)
