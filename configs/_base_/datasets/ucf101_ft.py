# UCF101 finetuning data (split 1), VideoMAE's recipe: as Kinetics-400
# (16 frames at stride 4, RandAugment rand-m7-n4-mstd0.5-inc1, random resized
# crop, flip 0.5, random erasing 0.25; test 5 clips x 3 crops = 15 views) with
# repeated sampling: 2 augmented clips per decoded video.
# Lists: tools/data/build_file_list.py ucf101 ... (101 classes; splits 2 and
# 3: swap the split number in the list names).
_base_ = ['./k400_ft.py']
data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'
num_sample = 2  # official UCF101 script: 2

train_dataloader = dict(
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root),
                 num_sample=num_sample))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
